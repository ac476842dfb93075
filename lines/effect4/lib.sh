# Sourced by run.sh and bench.sh: what every Effect 4 line script does first.
# `install`: this folder's pinned tools (effect 4, vitest 5, Node 22 from the
# npm registry's `node` package) when missing; sets $node22.
# `build_checked PROJECT`: tsc -p PROJECT under that Node 22, after refusing a
# build that would read an Effect 3 file (tsc falls back from `paths` to
# node_modules when a module is missing from Effect 4, which would quietly
# type-check against the workspace's Effect 3).
install() {
  if [ ! -x node_modules/.bin/node ] || [ ! -d node_modules/effect ] || [ ! -d node_modules/@effect/platform-node ] || [ ! -d node_modules/@effect/opentelemetry ] || [ ! -e node_modules/@steadfast/node ] || [ ! -e node_modules/@steadfast/testkit ]; then
    npm ci --no-audit --no-fund
  fi
  node22=node_modules/.bin/node
}

build_checked() {
  if "$node22" node_modules/.bin/tsc -p "$1" --listFilesOnly | grep -E 'node_modules/\.pnpm/(effect|@effect)[@+]'; then
    echo "lines/effect4/$1: the files above are Effect 3's; give the import a seam in src/line/" >&2
    return 1
  fi
  "$node22" node_modules/.bin/tsc -p "$1"
}
