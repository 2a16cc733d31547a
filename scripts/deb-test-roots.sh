#!/usr/bin/env bash
# Builds (once) and caches clean minimal Debian roots for the .deb install tests:
# .cache/deb-root-bookworm (Debian 12) and .cache/deb-root-trixie (Debian 13), debootstrap minbase
# plus man-db (for `man -w sshield`). Tests copy a root to a temp dir and install the .deb there
# with apt, so the cache stays clean. Re-running is a no-op while a root is complete.
# Usage: scripts/deb-test-roots.sh [SUITE...]   (default: bookworm trixie)
set -euo pipefail
cd "$(dirname "$0")/.."
mirror="${SSHIELD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }
for suite in "${@:-bookworm trixie}"; do
  for s in $suite; do
    root=".cache/deb-root-$s"
    if [ -x "$root/usr/bin/man" ] && [ -f "$root/.complete" ]; then echo "$s root already built: $root"; continue; fi
    tmp="$root.partial.$$"
    rm -rf "$tmp"
    mkdir -p .cache
    debootstrap --variant=minbase --include=man-db "$s" "$tmp" "$mirror" >"$tmp.log" 2>&1 || { echo "debootstrap $s failed, see $tmp.log" >&2; tail -5 "$tmp.log" >&2; rm -rf "$tmp"; exit 2; }
    rm -f "$tmp.log"
    # apt in a copy of this root installs a local .deb without lists or network.
    rm -rf "$tmp/var/cache/apt/archives/"*.deb
    touch "$tmp/.complete"
    rm -rf "$root"
    mv "$tmp" "$root"
    echo "$s root ready: $root ($(cat "$root/etc/debian_version"))"
  done
done
