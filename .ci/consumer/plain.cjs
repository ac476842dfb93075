/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS consumer is what this file checks */
// A CommonJS consumer: the packages are ESM only, and Node >= 20.19 loads
// them with require() (require(esm)); older Node versions need import().
const [major, minor] = process.versions.node.split(".").map(Number)
if (major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19) || major === 21) {
  const { Client } = require("@steadfast/core")
  const { NodeClient } = require("@steadfast/node")
  const { Fault } = require("@steadfast/testkit")
  if (typeof Client.layer !== "function" || typeof NodeClient.layer !== "function" || typeof Fault.reset !== "function") {
    throw new Error("exports missing through require()")
  }
  console.log(`ok cjs: require() of the three packages works on Node ${process.versions.node}`)
} else {
  console.log(`ok cjs: skipped, Node ${process.versions.node} has no require(esm)`)
}
