// A full GC forced at idle (between samples, no request in flight, as the
// bench's forced GC) against one forced while 64 requests are in flight (as
// a steady-state process meets its full GCs), for one client: CPU per
// request of the 6,000-request sample after each, against a sample with no
// GC; run under --trace-deopt to count the code each GC marks for
// deoptimisation ("weak objects") between the "@@" marker lines
// (bench/PROFILES.md, "A forced GC, then a re-warm").
//
//   pnpm build && stdbuf -o0 node --expose-gc --trace-deopt bench/micro/gc-in-flight.mjs [steadfast|undici] > out.log
//   awk '/^@@ idle-gc$/{m="idle"} /^@@ busy-gc$/{m="busy"} /^@@ .*-end/{m=""} /weak objects/{if(m!="")c[m]++} END{for(k in c)print k,c[k]/3}' out.log
import { steadfastRetryRunner, undiciRetryRunner } from "../dist/extras.js"
import { startNodeServer } from "../dist/server.js"
const server = await startNodeServer()
const which = process.argv[2] ?? "steadfast"
const r = which === "undici" ? undiciRetryRunner(server.origin, 64) : await steadfastRetryRunner(server.origin, 64)
const mark = (s) => process.stdout.write(`@@ ${s}\n`)
const cpu = (s) => (s.cpuUs / s.ok).toFixed(1)
for (let i = 0; i < 3; i++) await r.happy({ maxRequests: 6000, maxMs: 60000 })
for (let round = 0; round < 3; round++) {
  mark("idle-gc")
  globalThis.gc()
  mark("idle-gc-end")
  let s = await r.happy({ maxRequests: 6000, maxMs: 60000 })
  console.log("after idle gc", cpu(s))
  for (let i = 0; i < 2; i++) await r.happy({ maxRequests: 6000, maxMs: 60000 })
  s = await r.happy({ maxRequests: 6000, maxMs: 60000 })
  console.log("no gc", cpu(s))
  const t = setTimeout(() => {
    mark("busy-gc")
    globalThis.gc()
    mark("busy-gc-end")
  }, 40)
  s = await r.happy({ maxRequests: 6000, maxMs: 60000 })
  console.log("gc in flight", cpu(s))
  clearTimeout(t)
  for (let i = 0; i < 2; i++) await r.happy({ maxRequests: 6000, maxMs: 60000 })
}
await r.close()
await server.stop()
process.exit(0)
