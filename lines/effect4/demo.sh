#!/usr/bin/env bash
# `pnpm demo:effect4`: the demo (demo/src, `pnpm demo` on Effect 3) built for
# Effect 4 against the Effect 4 builds of core, node and testkit, and run
# under lines/effect4's Node 22 (docs/design.md, "Two Effect lines").
# With --check (.ci/run), it also runs the Effect 3 demo and fails unless
# both end with every section as expected and tell the same sections with the
# same outcome marks (timings left out: they are the wall clock's), and the
# Effect 4 one with no colours and nothing on stderr.
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
install
build_checked core
build_checked testkit
build_checked node
build_checked demo
if [ "${1:-}" != "--check" ]; then
  exec "$node22" demo/dist/main.js
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# the Effect 3 demo as `pnpm demo` runs it (its build is the workspace's: tsc -b demo)
"$node22" ../../node_modules/typescript/bin/tsc -b ../../demo
status=0
NO_COLOR=1 node ../../demo/dist/main.js >"$out/effect3.txt" 2>&1 || status=$?
[ "$status" = 0 ] || { cat "$out/effect3.txt"; echo "the Effect 3 demo exited with $status" >&2; exit 1; }
# as demo/test runs the Effect 3 entry point: no colour settings, output not
# a terminal (colours must be off), and a proxy in the environment that must not matter
env -u NO_COLOR -u FORCE_COLOR HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
  "$node22" demo/dist/main.js >"$out/effect4.txt" 2>"$out/effect4.err" || status=$?
[ "$status" = 0 ] && [ ! -s "$out/effect4.err" ] || {
  cat "$out/effect4.txt" "$out/effect4.err"
  echo "the Effect 4 demo exited with $status (stderr above)" >&2
  exit 1
}
# per line of the output: a section's title without its time; a row's mark
# and label (the label ends at the table's column gap); a check's mark and
# what it checks (up to its ": "); what follows holds times and counts
outcomes() {
  sed -nE -e 's/^([0-9]+\. .*)  \([0-9]+ ms\).*$/\1/p' \
    -e 's/^  (✓|✗) ([^ ]( ?[^ ])*)  .*$/\1 \2/p' -e t \
    -e 's/^  (✓|✗) ([^:]*): .*$/\1 \2/p' "$1"
}
if ! diff <(outcomes "$out/effect3.txt") <(outcomes "$out/effect4.txt"); then
  echo "the Effect 4 demo's sections differ from the Effect 3 demo's (< Effect 3, > Effect 4)" >&2
  exit 1
fi
if grep -q $'\x1b\[' "$out/effect4.txt"; then
  echo "the Effect 4 demo wrote colours to a file" >&2
  exit 1
fi
for line in 3 4; do
  grep -q '✓ Every section went as expected' "$out/effect$line.txt" || {
    cat "$out/effect$line.txt"
    echo "the Effect $line demo did not end with every section as expected" >&2
    exit 1
  }
done
echo "the demo: every section as expected on Effect 3 and Effect 4, with the same outcomes ($(outcomes "$out/effect4.txt" | wc -l) lines compared)"
