#!/usr/bin/env bash
# The Effect 4 rows of the benchmark (bench/src/effectLine.ts): raw undici,
# the Effect floor and Effect 4's own HTTP client, built for Effect 4 and run
# under lines/effect4's Node 22. `pnpm bench` and `pnpm bench:quick` run it
# after the Effect 3 table; arguments go to effectLine.js (--quick, --no-write).
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
install
build_checked bench
"$node22" bench/dist/effectLine.js "$@"
