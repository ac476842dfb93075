#!/usr/bin/env bash
# Copies this checkout's built core and node packages to <dir>/node_modules/@steadfast
# (with links to the same effect, @effect/platform, @effect/experimental and
# undici) as the base of bench/micro/ab.mjs. Build first (pnpm build).
set -euo pipefail
dir=${1:?usage: ab-snapshot.sh <dir>}
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$dir" && mkdir -p "$dir/node_modules/@steadfast" "$dir/node_modules/@effect"
for p in core node; do
  mkdir -p "$dir/node_modules/@steadfast/$p"
  cp "$root/packages/$p/package.json" "$dir/node_modules/@steadfast/$p/"
  cp -r "$root/packages/$p/dist" "$dir/node_modules/@steadfast/$p/"
done
ln -s "$(realpath "$root/packages/core/node_modules/effect")" "$dir/node_modules/effect"
ln -s "$(realpath "$root/packages/node/node_modules/undici")" "$dir/node_modules/undici"
for m in platform experimental; do
  ln -s "$(realpath "$root/packages/core/node_modules/@effect/$m")" "$dir/node_modules/@effect/$m"
done
