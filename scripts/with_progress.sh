#!/usr/bin/env bash
# with_progress.sh <what> <command> [args...]: runs the command and, every 20 s while it runs, says
# on stderr that <what> is still going, so that a long first-time step (building Consul takes
# minutes) is never silent. Exits with the command's code. Sourced, it defines with_progress, whose
# ticker's process id is in $progress_ticker while the command runs (to stop it on an early exit).
progress_ticker=""

with_progress() {
  local what=$1 since=$SECONDS rc=0
  shift
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 20 &
      nap=$!
      wait "$nap"
      printf '  ... still %s (%s s)\n' "$what" "$((SECONDS - since))" >&2
    done
  ) &
  progress_ticker=$!
  "$@" || rc=$?
  kill "$progress_ticker" 2>/dev/null || true
  wait "$progress_ticker" 2>/dev/null || true
  progress_ticker=""
  return "$rc"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  with_progress "$@"
fi
