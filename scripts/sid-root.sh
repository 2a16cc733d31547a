#!/usr/bin/env bash
# Builds (once) and caches a minimal Debian unstable ("sid") root with openssh-server
# 1:10.6p1-x, the differential oracle of the 10.6p1-debian build profile
# (test/helpers/debian-roots.ts). Once sid moves past 10.6p1, testing is tried instead.
# Re-running is a no-op while the root exists. Exit 3: the Debian archive cannot be reached
# (ROOT.unavailable then says so, and the tests skip printing it).
# Usage: scripts/sid-root.sh [ROOT]   (default .cache/sid-root)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-.cache/sid-root}"
rc=0
scripts/debian-root.sh sid "$root" "1:10.6p1-" || rc=$?
if [ "$rc" -eq 4 ]; then
  rc=0
  scripts/debian-root.sh testing "$root" "1:10.6p1-" || rc=$?
fi
exit "$rc"
