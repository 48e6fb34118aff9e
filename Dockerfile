# STUB: the distribution issue (#5) completes this file with the multi-stage build (the official
# Deno image compiling amp-pilot, then Alpine and Debian-slim images shipping the binary) and the
# "host folder" image for pilotLoader. Until then it shows how the source runs under Deno.
FROM denoland/deno:2.9.6
WORKDIR /opt/amp-pilot
COPY deno.json deno.lock main.ts mod.ts ./
COPY src ./src
RUN deno cache --frozen main.ts
ENTRYPOINT ["deno", "run", "--allow-all", "--frozen", "/opt/amp-pilot/main.ts"]
