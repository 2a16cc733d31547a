#!/usr/bin/env bash
# Installs Debian 13's ssh-audit (3.3.0, the version the scan issue compares against: 54
# connections per target including the DHEat rate test) into the cached Debian 13 root, so
# bench/scan.bench.ts can run it with `chroot ROOT ssh-audit -j -T FILE` next to Debian 12's
# 2.5.0 on the host. Benchmarks only: .ci/run does not call this (benchmarks do not run in CI).
# Builds the root first with scripts/trixie-root.sh when it is missing. Idempotent: a no-op
# while the package is installed and configured. Non-interactive: keeps existing conffiles
# (a netbase conffile prompt otherwise stops the install half-way).
# Usage: scripts/peer-ssh-audit3.sh [ROOT]   (default $SSHIELD_TRIXIE_ROOT or .cache/trixie-root)
# Exit: 0 installed (or already there), 2 it could not be installed (message on stderr).
set -uo pipefail
cd "$(dirname "$0")/.."
root="${1:-${SSHIELD_TRIXIE_ROOT:-.cache/trixie-root}}"
fail() { echo "peer-ssh-audit3: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || fail "needs root (chroot, apt-get inside $root)"
if [ ! -x "$root/usr/sbin/sshd" ]; then
  scripts/trixie-root.sh "$root" || fail "could not build the Debian 13 root $root (see scripts/trixie-root.sh)"
fi

installed() { [ "$(chroot "$root" dpkg-query -W -f='${Status}' ssh-audit 2>/dev/null)" = "install ok installed" ]; }
if installed && chroot "$root" ssh-audit -h >/dev/null 2>&1; then
  echo "ssh-audit already installed in $root: $(chroot "$root" dpkg-query -W -f='${Version}' ssh-audit)"
  exit 0
fi

# apt inside the root resolves the mirror through the root's resolv.conf
if [ -f /etc/resolv.conf ] && ! cmp -s /etc/resolv.conf "$root/etc/resolv.conf"; then
  cp /etc/resolv.conf "$root/etc/resolv.conf" || fail "cannot write $root/etc/resolv.conf"
fi
export DEBIAN_FRONTEND=noninteractive
confopts=(-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
# an earlier run stopped at a prompt leaves packages unpacked but not configured
chroot "$root" dpkg --force-confdef --force-confold --configure -a >/dev/null 2>&1 || true
chroot "$root" apt-get update -qq || fail "apt-get update failed inside $root (network to the Debian mirror?)"
chroot "$root" apt-get install -y -qq --no-install-recommends "${confopts[@]}" ssh-audit </dev/null \
  || fail "apt-get install ssh-audit failed inside $root"
installed || fail "ssh-audit is not in state 'install ok installed' inside $root after apt-get install"
chroot "$root" ssh-audit -h >/dev/null 2>&1 || fail "ssh-audit is installed in $root but does not run"
echo "ssh-audit ready in $root: $(chroot "$root" dpkg-query -W -f='${Version}' ssh-audit)"
