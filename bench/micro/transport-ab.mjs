// In-process A/B of the node transport alone, without core's client around
// it: `NodeClient.makeTransport(pool).send(request, url, attempt)` with a
// stub attempt that ignores its reports, then the body read through
// `Transport.BodyReaderTypeId` and `JSON.parse`d, a fiber per request
// (`Effect.forEach`) — beside the Effect floor (`Effect.tryPromise` of undici
// `Agent.request()` and `body.json()`). What the transport costs over the
// floor is then not hidden in the client's own steps, so a change to
// packages/node/src shows outside the noise of a whole-client A/B (ab.mjs).
// Beside them, the whole client (default policy, tracer off) of the
// workspace build: client/new is what core's steps around the transport cost.
//
//   node bench/micro/transport-ab.mjs <baseDir> <newDir> [rounds] [requests] [concurrency]
//
// <dir> as for ab.mjs (bench/micro/ab-snapshot.sh; "workspace": this
// checkout's build). Against bench's forked node:http server (AB_SERVER=nginx:
// bench's nginx). Prints each variant's median CPU per request and the
// medians of the per-round ratios new/base, base/floor, new/floor,
// client/floor and client/new. AB_PROFILE=cpu|alloc
// AB_ONLY=floor|base|new|client: instead, that one variant under V8's
// sampling profiler (as `pnpm bench:profile`, summed up the same way).
import { fork } from "node:child_process"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { abArgs, benchModule, effect, loadBuild, platform, root } from "./builds.mjs"

const { baseDir, newDir, rounds, requests, conc } = abArgs({ rounds: 10, requests: 3000 })

const { Agent } = await benchModule("undici/index.js")
const { Effect, Exit, Layer, Logger, ManagedRuntime, Scope } = effect
const { HttpClientRequest } = platform

const nginx = process.env.AB_SERVER === "nginx"
  ? await (await import(pathToFileURL(path.join(root, "bench/dist/server.js")).href)).startServer("nginx")
  : undefined
const child = nginx === undefined ? fork(path.join(root, "bench/dist/node-server.js")) : undefined
const origin = nginx?.origin ?? `http://127.0.0.1:${(await new Promise((r) => child.once("message", r))).port}`

/** An attempt that is never cut off and ignores what it is told (one per send, as core makes). */
class StubAttempt {
  aborted = false
  abortsOnInterrupt = true
  connectTimeoutMs = Infinity
  bypassProxy = false
  decompress = true
  get signal() {
    return new AbortController().signal
  }
  onAbort() {}
  queued() {}
  connecting() {}
  connected() {}
  written() {}
  bytesWritten() {}
  proxy() {}
  pool() {}
  unprocessed() {}
}

const decoder = new TextDecoder()
// one request and url for every send (the transport only reads them), so that
// neither variant pays for building a request: the floor sends a path
const href = `${origin}/`
const request = HttpClientRequest.get(href)
const url = new URL(href)

const transportVariant = async (name, dir) => {
  const { core, node } = await loadBuild(dir)
  const scope = Effect.runSync(Scope.make())
  const pool = await Effect.runPromise(
    Scope.extend(node.Pool.make({ connections: conc, keepAliveTimeout: "60 seconds" }), scope)
  )
  const transport = node.NodeClient.makeTransport(pool)
  const readerId = core.Transport.BodyReaderTypeId
  const one = Effect.suspend(() =>
    Effect.flatMap(transport.send(request, url, new StubAttempt()), (response) => {
      const chunks = []
      return Effect.map(
        response[readerId]((chunk) => {
          chunks.push(chunk)
          return true
        }),
        () => {
          if (response.status !== 200) throw new Error(`status ${response.status}`)
          const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
          return JSON.parse(decoder.decode(bytes))
        }
      )
    })
  )
  return { name, one, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** The whole client (default policy) of the workspace build, for where the rest of the gap is. */
const clientVariant = async () => {
  const { core, node } = await loadBuild("workspace")
  const rt = ManagedRuntime.make(
    Layer.merge(
      node.NodeClient.layer({ proxy: { url: "none" }, pool: { connections: conc, keepAliveTimeout: "60 seconds" } }),
      Logger.remove(Logger.defaultLogger)
    )
  )
  const client = await rt.runPromise(core.Client.Client)
  const one = Effect.suspend(() => client.json(HttpClientRequest.get(href)))
  return { name: "client", one, close: () => rt.dispose() }
}

const floorVariant = () => {
  const agent = new Agent({ connections: conc, keepAliveTimeout: 60_000 })
  const one = Effect.tryPromise(async () => {
    const { statusCode, body } = await agent.request({ origin, path: "/", method: "GET" })
    if (statusCode !== 200) throw new Error(`status ${statusCode}`)
    return body.json()
  })
  return { name: "floor", one, close: () => agent.close() }
}

const run = async (variant, n) => {
  const items = Array.from({ length: n }, (_, i) => i)
  const c0 = process.cpuUsage()
  await Effect.runPromise(
    Effect.withTracerEnabled(Effect.forEach(items, () => variant.one, { concurrency: conc, discard: true }), false)
  )
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / n
}

const variants = [
  floorVariant(),
  await transportVariant("base", baseDir),
  await transportVariant("new", newDir),
  await clientVariant()
]
const profileKind = process.env.AB_PROFILE
if (profileKind !== undefined) {
  const inspector = await import("node:inspector/promises")
  const { summarizeProfile, summarizeAllocations } = await import(
    pathToFileURL(path.join(root, "bench/dist/profileSummary.js")).href
  )
  const variant = variants.find((v) => v.name === (process.env.AB_ONLY ?? "new"))
  await run(variant, 4000)
  const session = new inspector.Session()
  session.connect()
  const n = requests * rounds
  if (profileKind === "alloc") {
    await session.post("HeapProfiler.enable")
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true
    })
    await run(variant, n)
    const { profile } = await session.post("HeapProfiler.stopSampling")
    console.log(summarizeAllocations(profile.head, n, 40, "allocated"))
  } else {
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 100 })
    await session.post("Profiler.start")
    await run(variant, n)
    const { profile } = await session.post("Profiler.stop")
    console.log(summarizeProfile(profile, n, 40))
  }
  session.disconnect()
  for (const v of variants) await v.close()
  child?.kill()
  await nginx?.stop()
  process.exit(0)
}
const samples = variants.map(() => [])
for (const v of variants) await run(v, 2000)
for (let r = 0; r < rounds; r++) {
  // each round in another order
  const order = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 2, 0], [2, 0, 3, 1]][r % 4]
  for (const i of order) samples[i].push(await run(variants[i], requests))
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const ratio = (a, b) => median(samples[a].map((x, j) => x / samples[b][j])).toFixed(3)
console.log(
  `c=${conc}: ` + variants.map((v, i) => `${v.name} ${median(samples[i]).toFixed(1)} µs`).join(", ")
)
console.log(
  `new/base ${ratio(2, 1)}, base/floor ${ratio(1, 0)}, new/floor ${ratio(2, 0)}, client/floor ${ratio(3, 0)}, ` +
    `client/new ${ratio(3, 2)}`
)
for (const v of variants) await v.close()
child?.kill()
await nginx?.stop()
