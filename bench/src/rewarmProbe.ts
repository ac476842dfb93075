/**
 * `node bench/dist/rewarmProbe.js`: what a GC forced before a measured
 * sample does to the sample, and how many requests of re-warm undo it
 * (bench/PROFILES.md, "A forced GC, then a re-warm"). The retry-cost test's
 * two clients (raw undici, steadfast), on the happy or the failure path,
 * against the node server; in one process, interleaved by round, each round
 * takes one sample of every variant:
 * - `nogc`: the sample right after the previous one;
 * - `gc`: a full GC forced, then the sample (the bench before the re-warm);
 * - `gc+N`: a full GC forced, N requests of the same client and path
 *   unmeasured, then the sample.
 *
 *   node bench/dist/rewarmProbe.js [--client undici|steadfast] [--path happy|flaky] [--c 64]
 *                                  [--requests 6000] [--rounds 5] [--rewarm 100,300,1000]
 *                                  [--variant gc+300 --mark]
 *
 * Prints each variant's median CPU per request and its median ratio to
 * `nogc`, paired by round. With `--variant V --mark`, only that variant, and
 * `@@ sample` / `@@ end` lines around each measured sample, to count V8's
 * trace lines inside samples: `stdbuf -o0 node --trace-deopt --trace-opt
 * bench/dist/rewarmProbe.js --variant gc --mark | awk …` (stdbuf so V8's
 * lines and the markers keep their order).
 */
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { type PathRunner, steadfastRetryRunner, undiciRetryRunner } from "./extras.js"
import type { Bound, Sample } from "./load.js"
import { startNodeServer } from "./server.js"
import { median } from "./stats.js"

const argv = process.argv.slice(2)
const value = (name: string, fallback: string) => {
  const i = argv.indexOf(name)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}

const forcedGc: () => void = (() => {
  v8.setFlagsFromString("--expose-gc")
  const fn = (globalThis as { gc?: () => void }).gc ?? vm.runInNewContext("gc") as (() => void) | undefined
  if (typeof fn !== "function") throw new Error("cannot force a GC (run node with --expose-gc)")
  return () => fn()
})()

const client = value("--client", "steadfast")
const path = value("--path", "happy")
const concurrency = Number(value("--c", "64"))
const requests = Number(value("--requests", "6000"))
const rounds = Number(value("--rounds", "5"))
const mark = argv.includes("--mark")
const variants = argv.includes("--variant")
  ? [value("--variant", "gc")]
  : ["nogc", "gc", ...value("--rewarm", "100,300,1000").split(",").map((n) => `gc+${n}`)]

const perRequest = (s: Sample) => s.ok > 0 ? s.cpuUs / s.ok : NaN

const main = async () => {
  const server = await startNodeServer()
  const runner: PathRunner = client === "undici"
    ? undiciRetryRunner(server.origin, concurrency)
    : await steadfastRetryRunner(server.origin, concurrency)
  const drive = (bound: Bound) => path === "flaky" ? runner.flaky(bound) : runner.happy(bound)
  const bound: Bound = { maxRequests: requests, maxMs: 60_000 }
  try {
    await drive({ maxRequests: 2000, maxMs: 60_000 })
    const samples = new Map(variants.map((v) => [v, [] as Array<number>]))
    for (let round = 0; round < rounds; round++) {
      for (const v of variants) {
        if (v !== "nogc") forcedGc()
        const rewarm = v.startsWith("gc+") ? Number(v.slice(3)) : 0
        if (rewarm > 0) await drive({ maxRequests: rewarm, maxMs: 60_000 })
        if (mark) process.stdout.write("@@ sample\n")
        const s = await drive(bound)
        if (mark) process.stdout.write("@@ end\n")
        samples.get(v)!.push(perRequest(s))
      }
    }
    const base = samples.get("nogc")
    for (const [v, xs] of samples) {
      const ratio = base === undefined ? "" : `, x nogc ${median(xs.map((x, i) => x / base[i]!)).toFixed(2)}`
      process.stdout.write(
        `${client} ${path} c=${concurrency} ${v}: ${median(xs).toFixed(1)} µs CPU/request${ratio}\n`
      )
    }
  } finally {
    await runner.close()
    await server.stop()
  }
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
