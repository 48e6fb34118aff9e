#!/bin/sh
# amp-pilot.alpine: amp-pilot for systems without glibc (Alpine, musl). Deno builds only for
# glibc, so this file carries the glibc runtime the compiled binary needs, the way the official
# Deno Alpine image does: the glibc loader at /lib64, the libraries isolated in
# /usr/local/lib/glibc (musl never looks there), and a glibc /etc/ld.so.cache pointing at them
# (musl ignores it). The binary itself is not patched. The first run installs all that (it needs
# root, as a Dockerfile RUN step or a container's PID 1 has) and every run then execs the
# binary with the arguments untouched.
#
# The payload (a gzipped tar) follows the line __AMP_PILOT_PAYLOAD__ below.
set -eu

version=__AMP_PILOT_VERSION__
home=/usr/local/lib/amp-pilot/$version
binary=$home/amp-pilot
glibc=/usr/local/lib/glibc

fail() {
  echo "amp-pilot.alpine: $*" >&2
  exit 126
}

install_runtime() {
  [ "$(id -u 2>/dev/null || echo 0)" = 0 ] ||
    fail "the first run installs the glibc runtime under /lib64 and $glibc and needs root"
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  line=$(awk '/^__AMP_PILOT_PAYLOAD__$/ { print NR + 1; exit 0 }' "$0")
  tail -n +"$line" "$0" | tar -xzf - -C "$tmp" || fail "cannot unpack the payload of $0"
  mkdir -p "$glibc" /lib64 "$home"
  cp "$tmp"/lib/* "$glibc"/
  [ -e /lib64/ld-linux-x86-64.so.2 ] || cp "$tmp/ld-linux-x86-64.so.2" /lib64/ld-linux-x86-64.so.2
  if ! grep -qx "$glibc" /etc/ld.so.conf 2>/dev/null; then
    echo "$glibc" >>/etc/ld.so.conf
  fi
  "$tmp/ldconfig" -f /etc/ld.so.conf -C /etc/ld.so.cache || fail "ldconfig failed"
  cp "$tmp/amp-pilot" "$binary.tmp"
  chmod 755 "$binary.tmp"
  mv "$binary.tmp" "$binary"
  rm -rf "$tmp"
  trap - EXIT
}

[ -x "$binary" ] && [ -e /lib64/ld-linux-x86-64.so.2 ] || install_runtime
exec "$binary" "$@"
exit 127
__AMP_PILOT_PAYLOAD__
