# amp-pilot images built from source (to install a released amp-pilot into your own image, see
# the README's quick start instead). Nothing here can be pulled or compiled on the project's CI
# machines (no Docker Hub, no dl.deno.land for denort): the tests build the same layouts from
# local roots (tests/distribution/dockerfile_test.ts). On a networked machine:
#
#   docker build --target alpine      -t amp-pilot:alpine .
#   docker build --target debian-slim -t amp-pilot:debian .
#   docker build --target host-folder -t amp-pilot:host-folder .
#
# With BuildKit, `--platform linux/arm64` builds the arm64 images (TARGETARCH; the build stage
# then runs on arm64 too, emulated or native, and packages that architecture's glibc runtime).
#
# --- build: compile the binary and the release artefacts of one architecture ----------------
FROM denoland/deno:2.9.6 AS build
ARG TARGETARCH
# The tests pass "--binary <stand-in>" here: deno compile needs denort, which CI cannot download.
ARG RELEASE_ARGS=""
WORKDIR /src
COPY deno.json deno.lock main.ts mod.ts LICENSE THIRD_PARTY_NOTICES.md ./
COPY src ./src
COPY scripts ./scripts
COPY distribution ./distribution
RUN arch="${TARGETARCH:-amd64}" && alpine=amp-pilot.alpine \
  && if [ "$arch" = arm64 ]; then alpine=amp-pilot.alpine-arm64; fi \
  && deno install --frozen && deno task release --arch "$arch" $RELEASE_ARGS \
  && mkdir -p /out/host-folder && cd dist \
  && cp "amp-pilot.$arch" /out/amp-pilot.glibc && cp "$alpine" /out/amp-pilot.alpine \
  && cp "amp-pilot.$arch" "$alpine" pilotLoader LICENSE THIRD_PARTY_NOTICES.md /out/host-folder/

# --- alpine: the binary with its own glibc runtime, unpacked once ----------------------------
FROM alpine:3.20 AS alpine
COPY --from=build /out/amp-pilot.alpine /tmp/amp-pilot.alpine
# The first run installs the glibc runtime (the loader, the libraries in /lib/<triplet>) and
# the binary in /usr/local/lib/amp-pilot/<version>, linked as /usr/local/bin/amp-pilot; the
# self-extracting file is then no longer needed.
RUN /tmp/amp-pilot.alpine --version && rm /tmp/amp-pilot.alpine
HEALTHCHECK --interval=10s --timeout=3s CMD ["/usr/local/bin/amp-pilot", "health"]
ENTRYPOINT ["/usr/local/bin/amp-pilot"]
# Your application: FROM amp-pilot:alpine, then CMD ["run", "--", "/your/app", "--flags"]
# or AMPPILOT_LAUNCH_CMD.

# --- debian-slim: glibc is there; the plain binary runs --------------------------------------
FROM debian:bookworm-slim AS debian-slim
COPY --from=build /out/amp-pilot.glibc /usr/local/bin/amp-pilot
COPY --from=build /out/host-folder/LICENSE /out/host-folder/THIRD_PARTY_NOTICES.md \
  /usr/local/share/doc/amp-pilot/
HEALTHCHECK --interval=10s --timeout=3s CMD ["/usr/local/bin/amp-pilot", "health"]
ENTRYPOINT ["/usr/local/bin/amp-pilot"]

# --- host-folder: /bin/amp-pilot/{pilotLoader,amp-pilot.<arch>,amp-pilot.alpine…} -----------
# Copy it to the host (docker create + docker cp /bin/amp-pilot /bin/) and bind-mount it into
# any container: docker service create … -m type=bind,source=/bin/amp-pilot,target=/bin/amp-pilot
#   -m type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock <image> /bin/amp-pilot/pilotLoader
FROM scratch AS host-folder
COPY --from=build /out/host-folder/ /bin/amp-pilot/
