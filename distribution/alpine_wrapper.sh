#!/bin/sh
# amp-pilot.alpine: amp-pilot for systems without glibc (Alpine, musl). Deno builds only for
# glibc, so this file carries the glibc runtime the compiled binary needs: Debian's glibc loader,
# installed at the path the binary names as its interpreter, and the libraries in Debian's
# multiarch folder /lib/<triplet> (where that loader looks by default and musl never looks).
# The binary itself is not patched.
#
# Whether the loader already there is glibc's is decided by running it with --version (glibc's
# prints its name; musl's prints a usage text and fails), not by whether the path exists:
# Alpine's libc6-compat puts a symlink to musl's loader there, which cannot run the binary.
#
# The first run (it needs root, as a Dockerfile RUN step or a container's PID 1 has) installs
# the runtime where needed and unpacks the binary straight into its final place,
# /usr/local/lib/amp-pilot/<version>/, with a link /usr/local/bin/amp-pilot to it; every run
# then execs the binary with the arguments untouched. Once installed, this file may be deleted
# and /usr/local/bin/amp-pilot used instead.
#
# The payload (a gzipped tar) follows the line __AMP_PILOT_PAYLOAD__ below.
set -eu

version=__AMP_PILOT_VERSION__
machine=__AMP_PILOT_MACHINE__
loader=__AMP_PILOT_LOADER__
triplet=__AMP_PILOT_TRIPLET__
home=/usr/local/lib/amp-pilot/$version
binary=$home/amp-pilot
link=/usr/local/bin/amp-pilot

fail() {
  echo "amp-pilot.alpine: $*" >&2
  exit 126
}

is_glibc() {
  case $("$1" --version 2>&1) in
    *GLIBC* | *"GNU libc"*) return 0 ;;
    *) return 1 ;;
  esac
}

check_machine() {
  actual=$(uname -m || echo unknown)
  [ "$actual" = "$machine" ] ||
    fail "this file is for $machine and this machine is $actual; use the artefact for $actual"
}

install_runtime() {
  [ "$(id -u)" = 0 ] ||
    fail "the first run installs the glibc runtime ($loader, /lib/$triplet) and needs root"
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  line=$(awk '/^__AMP_PILOT_PAYLOAD__$/ { print NR + 1; exit 0 }' "$0")
  mkdir -p "$home"
  tail -n +"$line" "$0" | tar -xzf - -C "$tmp" || fail "cannot unpack the payload of $0"
  if ! is_glibc "$loader"; then
    mkdir -p "/lib/$triplet" "$(dirname "$loader")"
    cp "$tmp"/lib/* "/lib/$triplet/"
    # A symlink (libc6-compat's, to musl) is replaced by glibc's loader; musl's own stays.
    rm -f "$loader.amp-pilot"
    cp "$tmp/loader" "$loader.amp-pilot"
    mv -f "$loader.amp-pilot" "$loader"
    is_glibc "$loader" || fail "$loader does not run after installing glibc's loader there"
  fi
  mv "$tmp/amp-pilot" "$binary.tmp"
  chmod 755 "$binary.tmp"
  mv "$tmp/LICENSE" "$tmp/THIRD_PARTY_NOTICES.md" "$home/"
  mv "$binary.tmp" "$binary"
  if [ ! -e "$link" ] || [ -L "$link" ]; then
    mkdir -p "$(dirname "$link")"
    ln -sf "$binary" "$link"
  fi
  rm -rf "$tmp"
  trap - EXIT
}

check_machine
[ -x "$binary" ] && is_glibc "$loader" || install_runtime
exec "$binary" "$@"
exit 127
__AMP_PILOT_PAYLOAD__
