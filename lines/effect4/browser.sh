#!/usr/bin/env bash
# The browser check on the Effect 4 line (docs/design.md, "Two Effect lines"):
# installs this folder's pinned tools when missing (lib.sh), then runs the
# browser smoke check and suite (browser/dist, built by `tsc -b browser`) with
# core's Effect 4 build bundled from its sources against this folder's
# effect 4. The harness itself (esbuild, playwright-core) runs under the
# workspace's Node; the bundled code runs in Chromium.
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
install
node ../../browser/dist/smoke.js --line=effect4
node ../../browser/dist/suite.js --line=effect4
