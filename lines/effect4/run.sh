#!/usr/bin/env bash
# The Effect 4 line (docs/design.md, "Two Effect lines"): installs this
# folder's pinned tools when missing (effect 4, vitest 5, and Node 22 from the
# npm registry's `node` package, which @effect/platform-node 4 and vitest 5
# need), builds the packages' sources for Effect 4 with tsc, then runs the
# Effect 4 suite under that Node 22. Arguments go to vitest (test file filters).
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
install
"$node22" --version
# the Effect 3 build of core, which the parity test compares with this line's
"$node22" ../../node_modules/typescript/bin/tsc -b ../../packages/core
build_checked core
# node and testkit compile against that build of core (lines/effect4/core/dist), as on Effect 3
build_checked testkit
build_checked node
# the test files type-check against Effect 4 too (each package's list is the one the vitest run reads)
for pkg in core testkit node; do
  if [ -f "$pkg/tsconfig.test.json" ]; then "$node22" node_modules/.bin/tsc -p "$pkg/tsconfig.test.json"; fi
done
"$node22" node_modules/.bin/vitest run "$@"
