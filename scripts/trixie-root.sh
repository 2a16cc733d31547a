#!/usr/bin/env bash
# Builds (once) and caches a minimal Debian 13 "trixie" root with openssh-server, so tests can
# run Debian 13's real sshd (10.0p1) through chroot as the differential oracle for the
# 10.0p1-debian build profile. Nothing is mounted: `sshd -T` needs no /proc or /dev beyond what
# debootstrap creates. Re-running is a no-op while .cache/trixie-root/usr/sbin/sshd exists.
# Usage: scripts/trixie-root.sh [ROOT]   (default .cache/trixie-root)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-.cache/trixie-root}"
mirror="${SSHIELD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if [ -x "$root/usr/sbin/sshd" ]; then
  echo "trixie root already built: $root"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }
tmp="$root.partial.$$"
rm -rf "$tmp"
mkdir -p "$(dirname "$root")"
# minbase + openssh-server: about 150 MB; the package's postinst cannot start services in a chroot,
# which is fine: we only need the binary and its libraries.
debootstrap --variant=minbase --include=openssh-server trixie "$tmp" "$mirror"
mkdir -p "$tmp/run/sshd" "$tmp/sshield"
# Host keys for sshd -T (sshd -T loads none, but keep the root self-contained for -t users).
rm -rf "$root"
mv "$tmp" "$root"
echo "trixie root ready: $root ($(chroot "$root" dpkg-query -W -f='${Version}' openssh-server))"
