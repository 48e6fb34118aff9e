#!/usr/bin/env bash
# `deno task test:bundle`: the tests that run amp-pilot as a process, run against the release's
# bundle (scripts/bundle.ts: amp-pilot.js and the files beside it) instead of main.ts, with Consul
# as a plain process. Arguments name other test files or folders instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bash scripts/with_progress.sh 'setting up the peers' bash scripts/peers.sh >/dev/null
deno run --allow-all --frozen scripts/bundle.ts --out "$out" >/dev/null
if (($# == 0)); then
  # Every test file that starts the pilot, but those of the containers and the release artefacts,
  # which run it from the sources inside images.
  mapfile -t files < <(grep -rlE 'startPilot|ampPilot|PILOT_ENTRY' tests --include='*_test.ts' |
    grep -vE '^tests/(docker|distribution)/' | sort)
  set -- "${files[@]}"
fi
echo "deno test against the bundle $out/amp-pilot.js: $*" >&2
AMP_PILOT_ENTRY="$out/amp-pilot.js" AMP_PILOT_CONSUL_MODE="${AMP_PILOT_CONSUL_MODE:-process}" \
  deno test --allow-all --frozen "$@"
