// In-process A/B of core's own steps around the transport: two steadfast
// builds' `client.json` (default policy, tracer off, a fiber per request via
// `Effect.forEach`) over a stub transport that answers at once — it reports
// the phases a socket transport reports (connected, written), returns a
// response whose body reader hands over its one chunk and returns an `Exit`,
// as the node transport does for a body that arrived with the headers. No
// socket, no server: what is left is core's work per request (url resolution,
// the call's region, the attempt, the hop, the body read, the end), so a
// change to it shows outside the noise of a whole-client A/B (ab.mjs), whose
// CPU is mostly undici and the kernel.
//
//   node bench/micro/core-ab.mjs <baseDir> <newDir> [rounds] [requests] [concurrency]
//
// <dir> as for ab.mjs (bench/micro/ab-snapshot.sh; "workspace": this
// checkout's build). Prints each build's median CPU per request and the
// median of the per-round ratios new/base, and each build's clock reads
// (`Date.now`, what Effect's live clock reads) per request. AB_ALLOC=1:
// instead of CPU, bytes allocated per request (V8's sampling heap profiler,
// every 128 bytes, objects collected by a GC included), median of `rounds`.
import * as inspector from "node:inspector/promises"
import { abArgs, effect, loadPackage, platform } from "./builds.mjs"

const { baseDir, newDir, rounds, requests, conc } = abArgs({ rounds: 20, requests: 20000 })

const load = (dir) => loadPackage(dir, "core")
const { Effect, Exit, Logger, Scope } = effect
const { HttpClientRequest } = platform

const body = new TextEncoder().encode(JSON.stringify({ ok: true, n: 1 }))
const headers = { "content-type": "application/json", "content-length": String(body.length) }

const variant = async (name, dir) => {
  const core = await load(dir)
  const BodyReader = core.Transport.BodyReaderTypeId
  const transport = {
    tracksConnect: true,
    send: (request, _url, attempt) =>
      Effect.sync(() => {
        attempt.connected(true)
        attempt.written()
        return {
          request,
          status: 200,
          headers,
          [BodyReader]: (onChunk) => {
            onChunk(body)
            return Exit.void
          }
        }
      })
  }
  const scope = Effect.runSync(Scope.make())
  const client = Effect.runSync(
    Scope.extend(
      core.Client.makeWithTransport(transport, { retry: { budget: core.Retry.unlimited } }),
      scope
    )
  )
  let key = 0
  const one = Effect.suspend(() => client.json(HttpClientRequest.get(`http://127.0.0.1:8080/?k=${++key}`)))
  const run = async (n) => {
    const items = Array.from({ length: n }, (_, i) => i)
    const c0 = process.cpuUsage()
    await Effect.runPromise(
      Effect.withTracerEnabled(
        Effect.provide(
          Effect.forEach(items, () => one, { concurrency: conc, discard: true }),
          Logger.remove(Logger.defaultLogger)
        ),
        false
      )
    )
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / n
  }
  return { name, run, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

const variants = [await variant("base", baseDir), await variant("new", newDir)]
const clockReads = async (v) => {
  const now = Date.now
  let reads = 0
  Date.now = () => (reads++, now())
  try {
    await v.run(1000)
  } finally {
    Date.now = now
  }
  return reads / 1000
}
const reads = []
for (const v of variants) reads.push(await clockReads(v))
const alloc = process.env.AB_ALLOC === "1"
const session = alloc ? new inspector.Session() : undefined
session?.connect()
const allocated = async (v, n) => {
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 128,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true
  })
  await v.run(n)
  const { profile } = await session.post("HeapProfiler.stopSampling")
  const sum = (node) => node.selfSize + node.children.reduce((a, c) => a + sum(c), 0)
  return sum(profile.head) / n
}
const measure = (v) => alloc ? allocated(v, requests) : v.run(requests)
const samples = variants.map(() => [])
for (const v of variants) await v.run(requests)
for (let r = 0; r < rounds; r++) {
  for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) samples[i].push(await measure(variants[i]))
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
for (let i = 0; i < variants.length; i++) {
  console.log(
    `${variants[i].name} (${i === 0 ? baseDir : newDir}), c=${conc}: ${median(samples[i]).toFixed(alloc ? 0 : 2)} ${
      alloc ? "B" : "µs"
    }, ` +
      `${reads[i].toFixed(1)} clock reads/request`
  )
}
console.log(`new/base ${median(samples[1].map((x, j) => x / samples[0][j])).toFixed(3)}`)
for (const v of variants) await v.close()
