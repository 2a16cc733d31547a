#!/usr/bin/env bash
# Builds (once) and caches .cache/arm64-sysroot: the arm64 Debian 12 libraries (debootstrap's first,
# foreign stage: packages unpacked, nothing run) that `qemu-aarch64 -L` needs to run the arm64
# single executable and the arm64 .deb's /usr/bin/sshield on this x86-64 machine in the tests.
# Re-running is a no-op while the root is complete. Exit 3: the Debian archive cannot be reached.
# Usage: scripts/arm64-sysroot.sh [ROOT]   (default .cache/arm64-sysroot)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-.cache/arm64-sysroot}"
mirror="${SSHIELD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ -f "$root/.complete" ] && { echo "arm64 sysroot already built: $root"; exit 0; }
command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }
tmp="$root.partial.$$"
rm -rf "$tmp"; mkdir -p "$(dirname "$root")"
if ! debootstrap --foreign --arch=arm64 --variant=minbase bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1; then
  tail -5 "$tmp.log" >&2
  if grep -qiE 'resolv|connect|Failed getting release file' "$tmp.log"; then rm -rf "$tmp" "$tmp.log"; echo "arm64 sysroot: Debian archive unreachable" >&2; exit 3; fi
  rm -rf "$tmp" "$tmp.log"; echo "arm64 sysroot: debootstrap failed" >&2; exit 2
fi
rm -f "$tmp.log"
for lib in libc.so.6 libstdc++.so.6 libgcc_s.so.1; do
  [ -e "$tmp/usr/lib/aarch64-linux-gnu/$lib" ] || { echo "arm64 sysroot: $lib not unpacked" >&2; rm -rf "$tmp"; exit 2; }
done
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/debootstrap/"*.deb
touch "$tmp/.complete"
rm -rf "$root"; mv "$tmp" "$root"
echo "arm64 sysroot ready: $root"
