/**
 * `node bench/dist/retryOnly.js [--c 1,64] [--repetitions 2] [--requests 2000] [--ms 10000] [--rewarm N]`:
 * the retry-cost extra of `run.ts` on its own (node server), for working on
 * the retry path without the whole bench. Each sample starts with a forced GC
 * and N unmeasured requests of the same client and path (rewarm.ts: 4,000 by
 * default; 0: none).
 */
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { retryCost } from "./extras.js"
import { rewarmBound } from "./rewarm.js"
import { startNodeServer } from "./server.js"
import { formatMicros } from "./stats.js"

const argv = process.argv.slice(2)
const value = (name: string, fallback: string) => {
  const i = argv.indexOf(name)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}

const gc: () => void = (() => {
  v8.setFlagsFromString("--expose-gc")
  const fn = (globalThis as { gc?: () => void }).gc ?? vm.runInNewContext("gc") as (() => void) | undefined
  return typeof fn === "function" ? () => fn() : () => {}
})()

const main = async () => {
  const server = await startNodeServer()
  try {
    const result = await retryCost(server.origin, {
      concurrencies: value("--c", "1,64").split(",").map(Number),
      repetitions: Number(value("--repetitions", "2")),
      bound: { maxRequests: Number(value("--requests", "2000")), maxMs: Number(value("--ms", "10000")) },
      rewarm: rewarmBound(false, argv.includes("--rewarm") ? Number(value("--rewarm", "")) : undefined)
    }, gc)
    for (const r of result.rows) {
      process.stdout.write(
        `${r.client}, c=${r.concurrency}: happy ${formatMicros(r.happyCpuUs)}, 503+retry ${
          formatMicros(r.flakyCpuUs)
        }, ` +
          `one retry costs ${formatMicros(r.retryCostUs)} CPU; ${r.happyRps.toFixed(0)} / ${
            r.flakyRps.toFixed(0)
          } req/s${r.errors > 0 ? ` (${r.errors} errors)` : ""}\n`
      )
    }
  } finally {
    await server.stop()
  }
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
