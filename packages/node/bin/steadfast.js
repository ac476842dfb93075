#!/usr/bin/env node
// The `steadfast` command's entry: a file that exists before the build, so
// package managers can link it at install time (in this repository, before
// `tsc -b` has written dist/). The command itself is dist/bin/steadfast.js.
import "../dist/bin/steadfast.js"
