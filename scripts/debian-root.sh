#!/usr/bin/env bash
# Builds (once) and caches a minimal Debian root with openssh-server, so tests can run that
# release's real sshd through chroot as the differential oracle of a build profile. Nothing is
# mounted: `sshd -T` needs no /proc or /dev beyond what debootstrap creates. Re-running is a
# no-op while ROOT/usr/sbin/sshd exists. Used by scripts/trixie-root.sh and scripts/sid-root.sh.
# Usage: scripts/debian-root.sh SUITE ROOT [EXPECTED_VERSION_PREFIX]
#   exit 0: built (or already there); 2: debootstrap missing; 3: the archive cannot be reached;
#   4: the suite's openssh-server is not the expected version; other: the build failed.
set -euo pipefail
cd "$(dirname "$0")/.."
suite="$1"
root="$2"
want="${3:-}"
mirror="${SSHIELD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if [ -x "$root/usr/sbin/sshd" ]; then
  echo "$suite root already built: $root ($(chroot "$root" dpkg-query -W -f='${Version}' openssh-server 2>/dev/null || echo '?'))"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }
reachable() {
  if command -v curl >/dev/null; then curl -fsS -m 30 -o /dev/null "$mirror/dists/$suite/Release" 2>/dev/null
  elif command -v wget >/dev/null; then wget -q -T 30 -O /dev/null "$mirror/dists/$suite/Release" 2>/dev/null
  else return 0 # no probe tool: debootstrap itself will say
  fi
}
if ! reachable; then
  # the tests read this marker and skip, printing it; any other failure makes them fail
  mkdir -p "$(dirname "$root")"
  echo "the Debian archive cannot be reached ($mirror/dists/$suite/Release, $(date -u +%FT%TZ))" | tee "$root.unavailable" >&2
  exit 3
fi
rm -f "$root.unavailable"
tmp="$root.partial.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT # a failed build leaves nothing half-made behind
mkdir -p "$(dirname "$root")"
# minbase + openssh-server: about 150 MB; the package's postinst cannot start services in a
# chroot, which is fine: only the binary and its libraries are needed.
debootstrap --variant=minbase --include=openssh-server "$suite" "$tmp" "$mirror"
mkdir -p "$tmp/run/sshd" "$tmp/sshield"
# a real host has netbase's /etc/services (getservbyname for `Port ssh`); minbase lacks it
[ -e "$tmp/etc/services" ] || { [ -e /etc/services ] && cp /etc/services "$tmp/etc/services"; } || true
# sshd -T loads no host key, but -t and the tests name one: make sure the root has them
[ -e "$tmp/etc/ssh/ssh_host_ed25519_key" ] || chroot "$tmp" ssh-keygen -A
version="$(chroot "$tmp" dpkg-query -W -f='${Version}' openssh-server)"
if [ -n "$want" ] && [[ "$version" != "$want"* ]]; then
  echo "$suite has openssh-server $version, not $want*: root not kept" >&2
  rm -rf "$tmp"
  exit 4
fi
rm -rf "$root"
mv "$tmp" "$root"
echo "$suite root ready: $root ($version)"
