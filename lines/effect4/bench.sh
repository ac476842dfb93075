#!/usr/bin/env bash
# The Effect 4 rows of the benchmark (bench/src/effectLine.ts): raw undici,
# the Effect floor, Effect 4's own HTTP client and steadfast (tracing off, and
# the default policy with Effect 4's default tracer on, a fiber per request),
# built for Effect 4 and run under lines/effect4's Node 22. `pnpm bench` and `pnpm bench:quick` run it
# after the Effect 3 table; arguments go to effectLine.js (--quick, --no-write).
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
install
# steadfast's rows run its Effect 4 build (lines/effect4/core and node, linked into node_modules)
build_checked core
build_checked node
build_checked bench
"$node22" bench/dist/effectLine.js "$@"
