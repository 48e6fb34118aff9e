#!/usr/bin/env bash
# Builds a static Consul agent from the Go module proxy into the cache, once.
#
# Only MPL-2.0 releases are allowed: Consul moved to BUSL in 2023 and the 1.16.x line
# followed in 2024. The script checks the LICENSE of the downloaded module and refuses
# anything that is not MPL-2.0.
#
# Environment:
#   CONSUL_BIN       use this binary instead of building one (printed back as-is)
#   CONSUL_VERSION   version to build (default below)
#   AMP_PILOT_CACHE  cache folder (default ~/.cache/amp-pilot)
# Prints the path of the binary as its last line.
set -euo pipefail

version="${CONSUL_VERSION:-1.16.3}"
cache="${AMP_PILOT_CACHE:-$HOME/.cache/amp-pilot}"
out="$cache/consul-$version/consul"

if [[ -n "${CONSUL_BIN:-}" ]]; then
  [[ -x "$CONSUL_BIN" ]] || { echo "CONSUL_BIN=$CONSUL_BIN is not an executable file" >&2; exit 1; }
  echo "$CONSUL_BIN"
  exit 0
fi
if [[ -x "$out" ]]; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || { echo "building Consul needs Go (the 'go' command) on PATH" >&2; exit 1; }
echo "building Consul v$version from the Go module proxy (takes a few minutes)..." >&2

dir=$(go mod download -json "github.com/hashicorp/consul@v$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[[ -d "$dir" ]] || { echo "go mod download of consul v$version gave no folder" >&2; exit 1; }
if ! head -c 600 "$dir/LICENSE" | grep -q "Mozilla Public License"; then
  echo "consul v$version is not MPL-2.0 licensed (see $dir/LICENSE); refusing to build it" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$dir/." "$work/"
chmod -R u+w "$work"
# The module's go.mod points its sub-modules (api, sdk, proto-public, ...) at local folders
# that the module archive does not contain; the require lines already name published versions.
sed -i -E '/^replace .* => \.\//d; /^\s+github.com\/hashicorp\/consul\/[a-z-]+ => \.\//d' "$work/go.mod"
# coredns (a dependency) lists inet.af/netaddr in its go.mod, which the module proxy does not
# serve; no package of it is built into Consul, so an empty stand-in module satisfies the graph.
mkdir -p "$work/_stub/netaddr"
echo "module inet.af/netaddr" >"$work/_stub/netaddr/go.mod"
echo "replace inet.af/netaddr => ./_stub/netaddr" >>"$work/go.mod"
(
  cd "$work"
  # The checksum database has no entry for some of Consul's own sub-modules (404), though the
  # proxy serves them; their licences are checked below instead.
  export CGO_ENABLED=0 GOFLAGS=-mod=mod GONOSUMDB=github.com/hashicorp/consul
  go build -trimpath -ldflags="-s -w -checklinkname=0" -o "$work/consul.bin" . >&2
  go list -m -f '{{.Path}} {{.Dir}}' all | awk '$1 ~ /^github.com\/hashicorp\/consul\// {print}' |
    while read -r path moddir; do
      [[ -z "$moddir" ]] && continue
      if ! head -c 600 "$moddir/LICENSE" 2>/dev/null | grep -q "Mozilla Public License"; then
        echo "$path in $moddir is not MPL-2.0 licensed; refusing the build" >&2
        exit 1
      fi
    done
)
mkdir -p "$(dirname "$out")"
cp "$work/consul.bin" "$out.tmp"
mv "$out.tmp" "$out"
cp "$dir/LICENSE" "$(dirname "$out")/LICENSE"
echo "$out"
