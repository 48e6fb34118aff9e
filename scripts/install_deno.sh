#!/usr/bin/env bash
# Installs the pinned Deno from the npm registry into the cache (once) and prints its path.
# The npm package `deno` carries the real binary for this platform in an optional dependency.
set -euo pipefail

version="${DENO_VERSION:-2.9.6}"
cache="${AMP_PILOT_CACHE:-$HOME/.cache/amp-pilot}"
prefix="$cache/deno-$version"
bin="$prefix/node_modules/deno/deno"

if [[ ! -x "$bin" ]] || ! "$bin" --version 2>/dev/null | grep -q "deno $version "; then
  command -v npm >/dev/null || { echo "installing Deno needs npm (Node.js) on PATH" >&2; exit 1; }
  echo "installing deno@$version from npm into $prefix" >&2
  mkdir -p "$prefix"
  (cd "$prefix" && npm install --no-audit --no-fund --loglevel=error "deno@$version" >&2)
fi
mkdir -p "$cache/bin"
ln -sf "$bin" "$cache/bin/deno"
echo "$cache/bin/deno"
