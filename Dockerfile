# amp-pilot images. Nothing here can be pulled or compiled on the project's CI machines (no
# Docker Hub, no dl.deno.land for denort): the tests build the same layouts from local roots
# (tests/support/dev_image.ts, tests/distribution/release_test.ts). On a networked machine:
#
#   docker build --target alpine      -t amp-pilot:alpine .
#   docker build --target debian-slim -t amp-pilot:debian .
#   docker build --target host-folder -t amp-pilot:host-folder .
#
# --- build: compile the binary and the release artefacts ------------------------------------
FROM denoland/deno:2.9.6 AS build
# The tests pass "--binary <stand-in>" here: deno compile needs denort, which CI cannot download.
ARG RELEASE_ARGS=""
WORKDIR /src
COPY deno.json deno.lock main.ts mod.ts ./
COPY src ./src
COPY scripts ./scripts
COPY distribution ./distribution
RUN deno install --frozen && deno task release $RELEASE_ARGS

# --- alpine: the artefact that carries its own glibc runtime ---------------------------------
FROM alpine:3.20 AS alpine
COPY --from=build /src/dist/amp-pilot.alpine /bin/amp-pilot
# The first run installs the glibc runtime (loader in /lib64, libraries in /usr/local/lib/glibc);
# doing it at build time keeps the container's start fast.
RUN /bin/amp-pilot --version
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/amp-pilot", "health"]
ENTRYPOINT ["/bin/amp-pilot"]
# Your application: FROM amp-pilot:alpine, then CMD ["run", "--", "/your/app", "--flags"]
# or AMPPILOT_LAUNCH_CMD.

# --- debian-slim: glibc is there; the plain binary runs --------------------------------------
FROM debian:bookworm-slim AS debian-slim
COPY --from=build /src/dist/amp-pilot.amd64 /bin/amp-pilot
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/amp-pilot", "health"]
ENTRYPOINT ["/bin/amp-pilot"]

# --- host-folder: /bin/amp-pilot/{pilotLoader,amp-pilot.alpine,amp-pilot.amd64} --------------
# Copy it to the host (docker create + docker cp /bin/amp-pilot /bin/) and bind-mount it into
# any container: docker service create … -m type=bind,source=/bin/amp-pilot,target=/bin/amp-pilot
#   -m type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock <image> /bin/amp-pilot/pilotLoader
FROM scratch AS host-folder
COPY --from=build /src/dist/pilotLoader /src/dist/amp-pilot.alpine /src/dist/amp-pilot.amd64 /bin/amp-pilot/
