#!/usr/bin/env bash
# Builds, in the Docker engine of $DOCKER_HOST, local stand-ins for the base images the
# Dockerfile names, since nothing can be pulled here: `debian:bookworm-slim` from a debootstrap
# minbase root (cached as a tarball), and `alpine:3.20` from a root holding only Debian's
# busybox-static and the musl loader (no glibc). Images already present are kept.
set -euo pipefail
cache="${AMP_PILOT_CACHE:-$HOME/.cache/amp-pilot}"

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  tarball="$cache/debian-bookworm-minbase.tar"
  if [[ ! -f "$tarball" ]]; then
    command -v debootstrap >/dev/null ||
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
    root=$(mktemp -d)
    echo "debootstrap bookworm (minbase) into $root" >&2
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >&2
    tar -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  docker import "$tarball" debian:bookworm-slim >&2
fi

# The label marks the applet set; an older stand-in (without uname and ln, which the Alpine
# artefact uses) is replaced.
stand_in=2
if [[ "$(docker image inspect -f '{{index .Config.Labels "amp-pilot.stand-in"}}' alpine:3.20 2>/dev/null)" != "$stand_in" ]]; then
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/lib/x86_64-linux-musl"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh ash ls cat cp mv rm mkdir chmod grep awk tail tar id mktemp echo sleep \
    env test dirname printf wget gzip uname ln du head sha256sum; do
    ln -s busybox "$root/bin/$applet"
  done
  cp "$(readlink -f /lib/ld-musl-x86_64.so.1)" "$root/lib/x86_64-linux-musl/libc.so"
  ln -s x86_64-linux-musl/libc.so "$root/lib/ld-musl-x86_64.so.1"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c "LABEL amp-pilot.stand-in=$stand_in" - alpine:3.20 >&2
  rm -rf "$root"
fi
echo "debian:bookworm-slim alpine:3.20"
