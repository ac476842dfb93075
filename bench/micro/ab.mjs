// In-process A/B of two steadfast builds (for work on the request path on a
// busy machine, where req/s mean nothing but CPU ratios in one process hold).
// Both builds share one `effect`, `@effect/platform` and `undici`; rounds
// alternate, and each figure is the median over rounds of CPU per request.
//
//   node bench/micro/ab.mjs <baseDir> <newDir> [rounds] [requests] [concurrency] [paths]
//
// <dir> holds node_modules/@steadfast/{core,node} (each package.json + dist);
// "workspace" means this checkout's packages. `paths`: comma-separated of
// "/" (200), "/flaky" (503 then 200 after one retry), default both; the
// retry cost is flaky - happy (and its new/base ratio, per round). Against
// bench's forked node:http server (AB_SERVER=nginx: bench's nginx, paths "/"
// only; AB_TRACE=1: tracer on; AB_UNDICI=1: raw undici's hand-written retry
// as a third variant, and each build's retry cost as a ratio to its).
// Build first (pnpm build). A base copy: bench/micro/ab-snapshot.sh <dir>.
import { fork } from "node:child_process"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { abArgs, benchModule, effect, loadBuild, platform, root } from "./builds.mjs"

const { baseDir, newDir, rounds, requests, conc } = abArgs({ rounds: 8, requests: 3000 })
const paths = (process.argv[7] ?? "/,/flaky").split(",")

const { Effect, Layer, Logger, ManagedRuntime } = effect
const { HttpClientRequest } = platform

// AB_SERVER=nginx: bench's nginx (happy path only); AB_TRACE=1: Effect's tracer on (spans made)
const nginx = process.env.AB_SERVER === "nginx"
  ? await (await import(pathToFileURL(path.join(root, "bench/dist/server.js")).href)).startServer("nginx")
  : undefined
const child = nginx === undefined ? fork(path.join(root, "bench/dist/node-server.js")) : undefined
const origin = nginx?.origin ?? `http://127.0.0.1:${(await new Promise((r) => child.once("message", r))).port}`
const tracing = process.env.AB_TRACE === "1"

let key = 0
const variant = async (name, dir) => {
  const { core, node } = await loadBuild(dir)
  const rt = ManagedRuntime.make(
    Layer.merge(
      node.NodeClient.layer({
        retry: { backoff: { base: "1 millis" }, budget: core.Retry.unlimited },
        proxy: { url: "none" },
        pool: { connections: conc, keepAliveTimeout: "60 seconds" }
      }),
      Logger.remove(Logger.defaultLogger)
    )
  )
  const client = await rt.runPromise(core.Client.Client)
  const run = async (p, n) => {
    const one = Effect.suspend(() => client.json(HttpClientRequest.get(`${origin}${p}?k=${++key}`)))
    const items = Array.from({ length: n }, (_, i) => i)
    const c0 = process.cpuUsage()
    await rt.runPromise(
      Effect.withTracerEnabled(Effect.forEach(items, () => one, { concurrency: conc, discard: true }), tracing)
    )
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / n
  }
  return { name, run, close: () => rt.dispose() }
}

// AB_UNDICI=1: raw undici with bench's hand-written retry (extras.ts) as a third variant, for the target
// "one retry costs at most 2x undici's": the same rounds, the same server, its own agent
const undiciVariant = async () => {
  const { Agent } = await benchModule("undici/index.js")
  const agent = new Agent({ connections: conc, keepAliveTimeout: 60_000 })
  const once = async (p) => {
    const { statusCode, body } = await agent.request({ origin, path: p, method: "GET" })
    if (statusCode === 200) return body.json()
    await body.dump()
    return undefined
  }
  const one = async (p) => {
    const target = `${p}?k=${++key}`
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random()))
      const value = await once(target)
      if (value !== undefined) return value
    }
    throw new Error("still 503 after 3 retries")
  }
  const run = async (p, n) => {
    let next = 0
    const c0 = process.cpuUsage()
    await Promise.all(Array.from({ length: conc }, async () => {
      while (next++ < n) await one(p)
    }))
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / n
  }
  return { name: "undici", run, close: () => agent.close() }
}

const variants = [await variant("base", baseDir), await variant("new", newDir)]
if (process.env.AB_UNDICI === "1") variants.push(await undiciVariant())
const samples = variants.map(() => Object.fromEntries(paths.map((p) => [p, []])))
for (const v of variants) for (const p of paths) await v.run(p, 2000)
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [0, 1] : [1, 0]
  if (variants.length > 2) order.push(2)
  for (const i of order) for (const p of paths) samples[i][p].push(await variants[i].run(p, requests))
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
for (let i = 0; i < variants.length; i++) {
  const line = paths.map((p) => `${p} ${median(samples[i][p]).toFixed(1)} µs`)
  if (paths.includes("/") && paths.includes("/flaky")) {
    line.push(`retry ${median(samples[i]["/flaky"].map((f, j) => f - samples[i]["/"][j])).toFixed(1)} µs`)
  }
  console.log(`${variants[i].name} (${i === 0 ? baseDir : i === 1 ? newDir : "raw"}), c=${conc}: ${line.join(", ")}`)
}
for (const p of paths) {
  console.log(`${p}: new/base ${median(samples[1][p].map((x, j) => x / samples[0][p][j])).toFixed(3)}`)
}
if (paths.includes("/") && paths.includes("/flaky")) {
  // the retry's own cost (flaky - happy of the same round) of each build, as a ratio per round
  const cost = (i, j) => samples[i]["/flaky"][j] - samples[i]["/"][j]
  console.log(`retry: new/base ${median(samples[1]["/"].map((_, j) => cost(1, j) / cost(0, j))).toFixed(3)}`)
  if (variants.length > 2) {
    for (const i of [0, 1]) {
      const ratio = median(samples[i]["/"].map((_, j) => cost(i, j) / cost(2, j)))
      console.log(`retry: ${variants[i].name}/undici ${ratio.toFixed(2)}`)
    }
  }
}
for (const v of variants) await v.close()
child?.kill()
await nginx?.stop()
