#!/usr/bin/env bash
# Starts or stops a private Docker engine (Debian's docker.io) on its own socket, the way
# ../shared/PEERS.md found to work here: no bridge, no iptables, vfs storage. Images stay in
# the cache between runs.
#
#   docker_engine.sh install   install docker.io when dockerd is missing (needs root)
#   docker_engine.sh start     start the engine (if not running) and print DOCKER_HOST
#   docker_engine.sh running   exit 0 when the engine is running (and print DOCKER_HOST)
#   docker_engine.sh stop      prune its stopped containers and untagged images, stop the engine
#
# Environment: AMP_PILOT_DOCKER_RUN (socket, pid file, log; default /tmp/amp-pilot-docker) and
# AMP_PILOT_DOCKER_ROOT (images and containers; default $AMP_PILOT_CACHE/docker). A second
# engine needs both of its own: two engines on one data root corrupt it. AMP_PILOT_DOCKER_PRUNE=no:
# `stop` does not prune.
set -euo pipefail

cache="${AMP_PILOT_CACHE:-$HOME/.cache/amp-pilot}"
root="${AMP_PILOT_DOCKER_ROOT:-$cache/docker}"
run="${AMP_PILOT_DOCKER_RUN:-/tmp/amp-pilot-docker}"
sock="$run/docker.sock"
pidfile="$run/docker.pid"

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-}" in
  install)
    if ! command -v dockerd >/dev/null; then
      echo "installing Debian's docker.io" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >&2
    fi
    ;;
  start)
    mkdir -p "$root" "$run"
    if ! running; then
      dockerd --data-root "$root" --exec-root "$run/exec" -H "unix://$sock" --pidfile "$pidfile" \
        --bridge=none --iptables=false --ip-masq=false --storage-driver=vfs \
        >"$run/dockerd.log" 2>&1 &
      for _ in $(seq 1 100); do
        DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1 && break
        sleep 0.2
      done
      DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1 ||
        { echo "dockerd did not start; see $run/dockerd.log" >&2; tail -20 "$run/dockerd.log" >&2; exit 1; }
    fi
    echo "unix://$sock"
    ;;
  running)
    running || exit 1
    echo "unix://$sock"
    ;;
  stop)
    if running; then
      # Stopped containers and images no tag names any more (earlier builds of the tests' images):
      # with vfs every layer is a full copy, and the data root grew by gigabytes a run without this.
      for what in container image; do
        [[ "${AMP_PILOT_DOCKER_PRUNE:-yes}" == no ]] && break
        DOCKER_HOST="unix://$sock" timeout 300 docker "$what" prune --force >/dev/null 2>&1 ||
          echo "docker $what prune failed; the engine is stopped anyway" >&2
      done
      pid=$(cat "$pidfile")
      kill "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: docker_engine.sh install|start|running|stop" >&2
    exit 2
    ;;
esac
