#!/usr/bin/env bash
# `deno task test`: sets up what the tests need on this machine, runs them, and stops what it
# started, whatever happens (failure, Ctrl-C). Arguments go to `deno test` (files, --filter ...).
#
#   1. Debian packages that are missing: busybox-static and musl (the Alpine-like roots),
#      libc6-arm64-cross and libgcc-s1-arm64-cross (the arm64 Alpine artefact), docker.io (the
#      engine and its client), docker-compose (the compose example), Java 17 and Maven (the Kafka brokers), openssl (test
#      certificates), debootstrap (the Debian base image, built once). Needs root and apt-get;
#      otherwise one line says what to install.
#   2. A Docker engine: the one DOCKER_HOST names, else the private engine of
#      scripts/docker_engine.sh (reused when it already runs; stopped at the end when started here).
#   3. The peers (scripts/peers.sh): Consul built from the Go module proxy, its image and the base
#      images in that engine, the Kafka jars. All cached in ~/.cache/amp-pilot after the first run.
#   4. deno test --allow-all --frozen "$@".
#
# AMP_PILOT_TEST_LOAD=<n> runs <n> busy loops beside the tests (deno task test:stress): a test that
# passes only on an idle machine fails then.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${AMP_PILOT_CACHE:-$HOME/.cache/amp-pilot}"
consul_version="${CONSUL_VERSION:-1.16.3}"
begun=$SECONDS

say() { printf '[test set-up %3ss] %s\n' "$((SECONDS - begun))" "$*" >&2; }

# with_progress <what> <command...>: a line every 20 s while a long step runs.
source scripts/with_progress.sh

# The Deno that runs this task (not necessarily on PATH), else the one on PATH.
deno_bin() {
  local parent
  parent=$(readlink "/proc/$PPID/exe" 2>/dev/null || true)
  if [[ "$(basename "${parent:-x}")" == deno ]]; then echo "$parent"; else command -v deno; fi
}

# Processes and engine to stop at the end.
load_pids=()
started_engine=""
cleanup() {
  local rc=$?
  [[ -n "$progress_ticker" ]] && kill "$progress_ticker" 2>/dev/null
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n "$started_engine" ]]; then
    say "stopping the Docker engine started for the tests"
    # Interrupted (Ctrl-C, TERM): stop at once; the prune, which can take minutes, waits for a run
    # that ends by itself.
    if ((rc >= 128)); then export AMP_PILOT_DOCKER_PRUNE=no; fi
    bash scripts/docker_engine.sh stop || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

# 1. Debian packages ------------------------------------------------------------------------------
missing=()
[[ -x /bin/busybox ]] || missing+=(busybox-static)
[[ -e /lib/ld-musl-x86_64.so.1 ]] || missing+=(musl)
# arm64 glibc for the aarch64 Alpine artefact; docker-compose for the compose example's test
[[ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ]] || missing+=(libc6-arm64-cross)
[[ -e /usr/aarch64-linux-gnu/lib/libgcc_s.so.1 ]] || missing+=(libgcc-s1-arm64-cross)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if ! command -v docker >/dev/null || { [[ -z "${DOCKER_HOST:-}" ]] && ! command -v dockerd >/dev/null; }; then
  missing+=(docker.io)
fi
java_version=$(java_major 2>/dev/null || true)
if ((${java_version:-0} < 17)); then
  missing+=(openjdk-17-jdk-headless)
fi
if [[ ! -f "$cache/kafka-4.1.2/libs/.complete" || ! -f "$cache/kafka-3.9.1/libs/.complete" ]]; then
  command -v mvn >/dev/null || missing+=(maven)
fi
command -v openssl >/dev/null || missing+=(openssl)
if [[ ! -f "$cache/debian-bookworm-minbase.tar" ]]; then
  command -v debootstrap >/dev/null || missing+=(debootstrap)
fi
if ((${#missing[@]} == 0)); then
  say "Debian packages: all there"
elif [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  say "missing Debian packages: as root, run apt-get install ${missing[*]}"
  exit 1
else
  say "installing Debian packages ${missing[*]} (apt-get: about a minute the first time)"
  install_packages() {
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine may have no package lists yet.
    if ! apt-get install -y -q "${missing[@]}" >/tmp/amp-pilot-apt.log 2>&1; then
      apt-get update -q >>/tmp/amp-pilot-apt.log 2>&1
      apt-get install -y -q "${missing[@]}" >>/tmp/amp-pilot-apt.log 2>&1
    fi
  }
  with_progress "installing Debian packages" install_packages ||
    { tail -n 20 /tmp/amp-pilot-apt.log; say "apt-get failed (log above, all of it in /tmp/amp-pilot-apt.log)"; exit 1; }
fi

# 2. Docker engine -----------------------------------------------------------------------------
if [[ -n "${DOCKER_HOST:-}" ]]; then
  docker version >/dev/null 2>&1 ||
    { say "no Docker engine answers at DOCKER_HOST=$DOCKER_HOST: start it, or unset DOCKER_HOST and the tests start their own"; exit 1; }
  say "Docker engine: DOCKER_HOST=$DOCKER_HOST (left as it is)"
elif DOCKER_HOST=$(bash scripts/docker_engine.sh running); then
  export DOCKER_HOST
  say "Docker engine: the private engine already running at $DOCKER_HOST (left running)"
else
  say "starting a private Docker engine (Debian's dockerd on its own socket: a few seconds; stopped at the end)"
  started_engine=yes
  DOCKER_HOST=$(bash scripts/docker_engine.sh start | tail -n 1)
  export DOCKER_HOST
  say "Docker engine: $DOCKER_HOST"
fi

# 3. Peers ---------------------------------------------------------------------------------------
todo=()
if [[ -z "${CONSUL_BIN:-}" && ! -x "$cache/consul-$consul_version/consul" ]]; then
  command -v go >/dev/null ||
    { say "missing: building Consul needs Go 1.23 or later on PATH (https://go.dev/dl), or CONSUL_BIN=<a Consul $consul_version agent>"; exit 1; }
  todo+=("build Consul v$consul_version from the Go module proxy (about 4-5 minutes on 2 cores, more on a busy machine; 2.3 GB of modules and build cache)")
fi
[[ -f "$cache/kafka-4.1.2/libs/.complete" && -f "$cache/kafka-3.9.1/libs/.complete" ]] ||
  todo+=("gather the Kafka 4.1.2 and 3.9.1 jars from Maven Central (under a minute)")
if ! docker image inspect "hashicorp/consul:$consul_version" debian:bookworm-slim alpine:3.20 >/dev/null 2>&1; then
  if [[ -f "$cache/debian-bookworm-minbase.tar" ]]; then
    todo+=("build the Consul, Debian and Alpine images in the engine (under a minute)")
  else
    todo+=("build the Consul and Alpine images, and a Debian root with debootstrap (about a minute)")
  fi
fi
if ((${#todo[@]} == 0)); then
  say "peers: Consul, Kafka jars and images already built"
else
  for item in "${todo[@]}"; do say "peers: $item"; done
fi
with_progress "setting up the peers" bash scripts/peers.sh >/dev/null ||
  { say "setting up the peers failed (see above)"; exit 1; }

# 4. Tests ---------------------------------------------------------------------------------------
load="${AMP_PILOT_TEST_LOAD:-0}"
[[ "$load" =~ ^[0-9]+$ ]] || { say "AMP_PILOT_TEST_LOAD=$load: expected a number of busy loops"; exit 2; }
if ((load > 0)); then
  say "loading the machine with $load busy loops while the tests run"
  for _ in $(seq 1 "$load"); do
    (while :; do :; done) &
    load_pids+=($!)
  done
fi
deno=$(deno_bin) || { say "no deno on PATH: bash scripts/install_deno.sh prints where it is"; exit 1; }
if (($# == 0)); then
  say "running the tests (deno test: 8 to 18 minutes on a busy 2-core machine)"
else
  say "running deno test $*"
fi
rc=0
"$deno" test --allow-all --frozen "$@" || rc=$?
say "tests done in $((SECONDS - begun)) s in all (exit code $rc)"
exit "$rc"
