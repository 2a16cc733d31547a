#!/usr/bin/env bash
# Builds dist/sshield_<version>_<arch>.deb (amd64, or arm64: the Node archive on npm has both) from
# the single executable (scripts/build-sea.sh): the
# binary as /usr/bin/sshield, the man page sshield(1), bash/zsh/fish completions and the docs
# (README, the rule pages SARIF's helpUri names, copyright, changelog), all generated from the
# same sources as the npm package (scripts/cli-docs.ts renders man page and completions from the
# commander program). Root-owned files, gzip (xz of the 110 MB binary costs a minute), md5sums,
# lintian overrides for what every Node single executable shows; checked with lintian by the tests.
# Usage: scripts/build-deb.sh [amd64|arm64]   (default amd64; prints the path of the .deb)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -m)" = x86_64 ] || { echo "build-deb: builds run on x86-64 (this is $(uname -m))" >&2; exit 2; }
debarch="${1:-amd64}"
case "$debarch" in amd64) nodearch=x64 ;; arm64) nodearch=arm64 ;; *) echo "build-deb: arch must be amd64 or arm64 (got $debarch)" >&2; exit 2 ;; esac
version="$(node -p 'require("./package.json").version')"
bin="dist/sshield-linux-$nodearch"
[ -x "$bin" ] && [ "$bin" -nt dist/sshield.cjs ] || scripts/build-sea.sh "$nodearch" >&2
node --import tsx scripts/cli-docs.ts dist/cli-docs >&2
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/sshield"
doc="$pkg/usr/share/doc/sshield"
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/man/man1" "$doc/rules" "$pkg/usr/share/lintian/overrides" \
  "$pkg/usr/share/bash-completion/completions" "$pkg/usr/share/zsh/vendor-completions" "$pkg/usr/share/fish/vendor_completions.d"
install -m 0755 "$bin" "$pkg/usr/bin/sshield"
gzip -9n -c dist/cli-docs/sshield.1 > "$pkg/usr/share/man/man1/sshield.1.gz"
install -m 0644 dist/cli-docs/sshield.bash "$pkg/usr/share/bash-completion/completions/sshield"
install -m 0644 dist/cli-docs/_sshield "$pkg/usr/share/zsh/vendor-completions/_sshield"
install -m 0644 dist/cli-docs/sshield.fish "$pkg/usr/share/fish/vendor_completions.d/sshield.fish"
gzip -9n -c README.md > "$doc/README.md.gz"
# What lintian says about any Node single executable, and why it stays:
cat > "$pkg/usr/share/lintian/overrides/sshield" <<'OVERRIDES'
# usr/bin/sshield is the official Node.js binary with the CLI injected (Node SEA): Node links
# zlib statically and is built without PIE upstream; sshield reads dpkg's status file (read only)
# to know the installed OpenSSH build, which is what it judges.
sshield: embedded-library zlib [usr/bin/sshield]
sshield: hardening-no-pie [usr/bin/sshield]
sshield: uses-dpkg-database-directly [usr/bin/sshield]
OVERRIDES
install -m 0644 docs/rules/*.md "$doc/rules/"
date="$(git log -1 --format=%aD 2>/dev/null || date -R)"
printf 'sshield (%s) unstable; urgency=medium\n\n  * Release %s: see /usr/share/doc/sshield/README.md.gz.\n\n -- sshield authors <sshield@users.noreply.github.com>  %s\n' "$version" "$version" "$date" | gzip -9n > "$doc/changelog.gz"
{
  echo 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'
  echo 'Upstream-Name: sshield'
  echo
  echo 'Files: *'
  echo 'Copyright: 2026 the sshield authors'
  echo 'License: MIT'
  echo
  echo 'Files: usr/bin/sshield'
  echo 'Copyright: Node.js contributors and the sshield authors'
  echo 'Comment: a Node.js single executable application: the official Node.js binary with the'
  echo ' bundled sshield CLI (and its npm dependencies, MIT/ISC licensed) injected.'
  echo 'License: MIT'
  echo
  echo 'License: MIT'
  sed -e '1,2d' -e 's/^$/./' -e 's/^/ /' LICENSE
} > "$doc/copyright"
installed_kb="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: sshield
Version: $version
Architecture: $debarch
Maintainer: sshield authors <sshield@users.noreply.github.com>
Installed-Size: $installed_kb
Depends: libc6 (>= 2.28), libgcc-s1 (>= 3.0), libstdc++6 (>= 9)
Suggests: openssh-server
Section: admin
Priority: optional
Description: audit and harden OpenSSH servers safely (Proxmox VE, Debian)
 sshield judges the effective sshd configuration (drop-ins, Include, Match)
 and the installed OpenSSH build (Debian package revisions, CVEs) for the
 admin, root, unknown users and every Proxmox VE cluster node, and applies
 hardening as a plan: diff, guards against lockout, backup, atomic write,
 validation by sshd -t, reload, verification and rollback. It also scans
 SSH servers over the network and renders reports as text, JSON, SARIF and
 a self-contained HTML page.
CONTROL
(cd "$pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg/usr/share" -type f -exec chmod 0644 {} +
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
out="dist/sshield_${version}_${debarch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$pkg" "$out.partial.$$" >&2
mv "$out.partial.$$" "$out"
echo "$out"
