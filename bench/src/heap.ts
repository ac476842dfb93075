/**
 * `pnpm bench:heap`: is the heap flat over many requests? Sends `--requests`
 * (1,000,000 by default) requests through a steadfast client (default
 * policy, tracer on: what a user gets), a fiber per request
 * (`Effect.forEach`, concurrency `--c`), and prints heapUsed after a forced
 * GC at each tenth, with the least-squares slope over the last nine tenths
 * (the first is warm-up: caches, JIT) in bytes per 1,000 requests. Bounded
 * in time (`--max-seconds`, 300 by default): a run that hits it says so and
 * fits the slope over what it did.
 *
 *   node bench/dist/heap.js [--transport memory|node] [--requests 1000000] [--c 64] [--max-seconds 300]
 *
 * - `memory` (the default): an in-memory transport that answers every
 *   request with one shared 200 JSON response — the client's own request
 *   path (call, attempts, scheduler, metrics, spans), a million requests in
 *   about a minute;
 * - `node`: the node transport against the node server in a child process,
 *   on loopback (sockets make a million requests take many minutes on a
 *   busy machine: size `--requests` to the time box).
 *
 * Not part of `bench` or `bench:quick` (too long).
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Client, Transport } from "@steadfast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { quietLogger } from "./clients.js"
import { BODY } from "./payload.js"
import { startNodeServer } from "./server.js"
import { slope } from "./stats.js"
import * as Steadfast from "./steadfast.js"

const argv = process.argv.slice(2)
const value = (name: string, fallback: string) => {
  const i = argv.indexOf(name)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}

const transportKind = value("--transport", "memory") === "node" ? "node" : "memory"
const requests = Number(value("--requests", "1000000"))
const concurrency = Number(value("--c", "64"))
const maxMs = Number(value("--max-seconds", "300")) * 1000

const gc: () => void = (() => {
  v8.setFlagsFromString("--expose-gc")
  const fn = (globalThis as { gc?: () => void }).gc ?? vm.runInNewContext("gc") as (() => void) | undefined
  if (typeof fn !== "function") throw new Error("cannot force a GC (run node with --expose-gc)")
  return () => fn()
})()

const heapUsed = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** A transport answering every request at once with the same 200 JSON response (never consumed as a web body). */
const memoryTransport = (): Transport.Transport => {
  const bytes = new TextEncoder().encode(BODY)
  const template = HttpClientResponse.fromWeb(
    HttpClientRequest.get("http://memory.test/"),
    new Response(null, {
      status: 200,
      headers: { "content-type": "application/json", "content-length": String(bytes.length) }
    })
  )
  const response = Object.assign(Object.create(template) as HttpClientResponse.HttpClientResponse, {
    [Transport.BodyReaderTypeId]: (onChunk: (chunk: Uint8Array) => boolean) => Effect.sync(() => void onChunk(bytes))
  })
  return { tracksConnect: false, send: () => Effect.succeed(response) }
}

const main = async (): Promise<number> => {
  const server = transportKind === "node" ? await startNodeServer() : undefined
  const layer = server === undefined
    ? Layer.scoped(Client.Client, Client.makeWithTransport(memoryTransport(), Steadfast.defaults)).pipe(Layer.orDie)
    : Steadfast.layer(concurrency, Steadfast.defaults)
  const runtime = ManagedRuntime.make(Layer.merge(layer, quietLogger))
  try {
    const client = await runtime.runPromise(Client.Client)
    const url = server === undefined ? "http://memory.test/" : `${server.origin}/`
    let failed = 0
    const one = Effect.suspend(() =>
      Effect.catchAll(client.json(HttpClientRequest.get(url)), () => Effect.sync(() => void failed++))
    )
    const tenth = Math.ceil(requests / 10)
    const items = Array.from({ length: tenth }, (_, i) => i)
    const batch = Effect.forEach(items, () => one, { concurrency, discard: true })
    // warm-up outside the figures: the JIT, the metric label sets, the pool's connections
    await runtime.runPromise(Effect.forEach(items.slice(0, Math.min(tenth, 20_000)), () => one, { concurrency }))
    const checkpoints: Array<{ x: number; y: number }> = [{ x: 0, y: heapUsed() }]
    const t0 = performance.now()
    let done = 0
    let timedOut = false
    process.stdout.write(
      `steadfast default policy (tracer on), ${transportKind} transport, c=${concurrency}: ${requests} requests\n` +
        `        requests   heapUsed after GC\n` +
        `${String(0).padStart(16)}   ${(checkpoints[0]!.y / 1024 / 1024).toFixed(2)} MiB\n`
    )
    for (let i = 0; i < 10; i++) {
      if (performance.now() - t0 > maxMs) {
        timedOut = true
        break
      }
      await runtime.runPromise(batch)
      done += tenth
      const y = heapUsed()
      checkpoints.push({ x: done, y })
      process.stdout.write(`${String(done).padStart(16)}   ${(y / 1024 / 1024).toFixed(2)} MiB\n`)
    }
    const seconds = (performance.now() - t0) / 1000
    const fitted = checkpoints.slice(1)
    const perThousand = fitted.length >= 2 ? slope(fitted) * 1000 : NaN
    const growth = checkpoints[checkpoints.length - 1]!.y - checkpoints[1]!.y
    process.stdout.write(
      `\n${done} requests (${failed} failed) in ${seconds.toFixed(1)} s${
        timedOut ? ` (stopped at --max-seconds)` : ""
      }\n` +
        `heap slope over the last ${fitted.length} checkpoints: ${perThousand.toFixed(1)} bytes per 1,000 requests ` +
        `(${(growth / 1024).toFixed(1)} KiB from the first tenth to the last; ` +
        `one 16-byte object kept per request would be 16,000 bytes per 1,000)\n`
    )
    return failed > 0 || done === 0 ? 1 : 0
  } finally {
    await runtime.dispose()
    await server?.stop()
  }
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  process.exit(1)
})
