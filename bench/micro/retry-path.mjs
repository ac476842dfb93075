// Micro-benchmark for profiling the retry path: the core client over the node
// transport against bench's node:http server (forked), `GET /` (200) or
// `GET /flaky?k=N` (503 once per key, then 200), backoff base 1 ms.
// Prints client CPU and wall time per logical request. Build first (pnpm build).
//
//   node bench/micro/retry-path.mjs [/ | /flaky] [requests] [concurrency]
//   node --cpu-prof bench/micro/retry-path.mjs /flaky 40000 64
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { fork } from "node:child_process"
const child = fork(new URL("../dist/node-server.js", import.meta.url).pathname)
const { port } = await new Promise((r) => child.once("message", r))
const origin = `http://127.0.0.1:${port}`
const path = process.argv[2] ?? "/flaky"
const n = Number(process.argv[3] ?? 5000)
const conc = Number(process.argv[4] ?? 1)
const rt = ManagedRuntime.make(
  Layer.merge(
    NodeClient.layer({ retry: { backoff: { base: "1 millis" } }, proxy: { url: "none" }, pool: { connections: conc } }),
    Logger.remove(Logger.defaultLogger)
  )
)
const client = await rt.runPromise(Client.Client)
let k = 0
const one = Effect.suspend(() => client.json(HttpClientRequest.get(`${origin}${path}?k=${++k}`)))
const run = (count) =>
  rt.runPromise(
    Effect.withTracerEnabled(
      Effect.forEach(Array.from({ length: conc }), () => Effect.repeatN(one, Math.ceil(count / conc) - 1), {
        concurrency: "unbounded",
        discard: true
      }),
      false
    )
  )
await run(1000)
const c0 = process.cpuUsage()
const t0 = performance.now()
await run(n)
const c = process.cpuUsage(c0)
console.log(
  path,
  "cpu/req µs",
  ((c.user + c.system) / n).toFixed(1),
  "(user",
  (c.user / n).toFixed(1),
  "system",
  (c.system / n).toFixed(1) + ")",
  "wall/req µs",
  ((performance.now() - t0) * 1000 / n).toFixed(1)
)
await rt.dispose()
child.kill()
