/**
 * The figures besides the main table: the cost of one retry, the heap after
 * many requests, and the testkit's simulated throughput.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Client, Retry } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { Agent } from "undici"
import { quietLogger } from "./clients.js"
import { type Bound, driveEffect, drivePromise, type Sample } from "./load.js"
import type { HeapFigures, RetryRow, SimulatedFigures } from "./report.js"
import { measuredSample } from "./rewarm.js"
import { median, slope } from "./stats.js"
import * as Steadfast from "./steadfast.js"

// --- retry cost -------------------------------------------------------------

export type { RetryRow } from "./report.js"

export interface RetryResult {
  readonly concurrencies: ReadonlyArray<number>
  readonly repetitions: number
  readonly requests: number
  readonly rewarm: number
  readonly rows: ReadonlyArray<RetryRow>
}

/** One client of the retry-cost test: its happy path and its failure path (503, then 200). */
export interface PathRunner {
  readonly name: string
  readonly happy: (bound: Bound) => Promise<Sample>
  readonly flaky: (bound: Bound) => Promise<Sample>
  readonly close: () => Promise<void>
}

let key = 0

/** The wait before a retry: full jitter over 1 ms, like steadfast's policy below (`backoff.base: 1 ms`). */
const backoff = () => new Promise<void>((resolve) => setTimeout(resolve, Math.random()))

/** The backoff base of the retry-cost test, small so waiting does not dominate the run. */
const BACKOFF_BASE = "1 millis"

/** The undici side of the retry-cost test (also profiled by `profile.ts --retry --client undici`). */
export const undiciRetryRunner = (origin: string, concurrency: number): PathRunner => {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 })
  const once = async (path: string) => {
    const { statusCode, body } = await agent.request({ origin, path, method: "GET" })
    if (statusCode === 200) return body.json()
    await body.dump()
    return undefined
  }
  return {
    name: "undici Agent.request (hand-written retry on 503, random 0–1 ms wait)",
    happy: (bound) => drivePromise(() => once(`/?k=${++key}`), concurrency, bound),
    flaky: (bound) =>
      drivePromise(
        async () => {
          const path = `/flaky?k=${++key}`
          for (let attempt = 0; attempt < 4; attempt++) {
            if (attempt > 0) await backoff()
            const value = await once(path)
            if (value !== undefined) return value
          }
          throw new Error("still 503 after 3 retries")
        },
        concurrency,
        bound
      ),
    close: () => agent.close()
  }
}

/** The steadfast side of the retry-cost test (also profiled by `profile.ts --retry`). */
export const steadfastRetryRunner = async (origin: string, concurrency: number): Promise<PathRunner> => {
  // Unlimited budget: every request here fails once, so the default budget
  // (a fraction of recent requests) would refuse most retries, and the run
  // would time 503s given up on instead of retries.
  const options: Client.Options = { retry: { backoff: { base: BACKOFF_BASE }, budget: Retry.unlimited } }
  const runtime = ManagedRuntime.make(Layer.merge(Steadfast.layer(concurrency, options), quietLogger))
  const client = await runtime.runPromise(Client.Client)
  const runPromise = (effect: Effect.Effect<void>) => runtime.runPromise(Effect.withTracerEnabled(effect, false))
  const send = (path: string) => Effect.suspend(() => client.json(HttpClientRequest.get(`${origin}${path}?k=${++key}`)))
  return {
    name: "steadfast default policy (backoff base 1 ms, retry budget unlimited, tracing off)",
    happy: (bound) => driveEffect(send("/"), concurrency, bound, runPromise),
    flaky: (bound) => driveEffect(send("/flaky"), concurrency, bound, runPromise),
    close: () => runtime.dispose()
  }
}

/**
 * Happy path (`/`, 200) against failure path (`/flaky`: 503, then 200 on the
 * retry), interleaved, on the node server (the route needs state); each
 * sample starts with `gc` and `rewarm` requests of the same client on the
 * same path (rewarm.ts).
 */
export const retryCost = async (
  origin: string,
  options: {
    readonly concurrencies: ReadonlyArray<number>
    readonly repetitions: number
    readonly bound: Bound
    readonly rewarm: Bound
  },
  gc: () => void
): Promise<RetryResult> => {
  const perRequest = (s: Sample) => s.ok > 0 ? s.cpuUs / s.ok : NaN
  const rps = (s: Sample) => s.ok / (s.wallMs / 1000)
  const rows: Array<RetryRow> = []
  for (const concurrency of options.concurrencies) {
    const runners = [undiciRetryRunner(origin, concurrency), await steadfastRetryRunner(origin, concurrency)]
    // warm-up by count too: the failure path has its own code to compile
    const warm: Bound = { maxRequests: Math.min(2000, options.bound.maxRequests), maxMs: 10_000 }
    for (const r of runners) {
      await r.happy(warm)
      await r.flaky(warm)
    }
    const samples = runners.map(() => ({ happy: [] as Array<Sample>, flaky: [] as Array<Sample> }))
    for (let rep = 0; rep < options.repetitions; rep++) {
      for (let i = 0; i < runners.length; i++) {
        const r = runners[i]!
        samples[i]!.happy.push(await measuredSample(gc, options.rewarm, r.happy, options.bound))
        samples[i]!.flaky.push(await measuredSample(gc, options.rewarm, r.flaky, options.bound))
      }
    }
    for (const r of runners) await r.close()
    runners.forEach((r, i) => {
      const { flaky, happy } = samples[i]!
      rows.push({
        client: r.name,
        concurrency,
        happyCpuUs: median(happy.map(perRequest)),
        flakyCpuUs: median(flaky.map(perRequest)),
        retryCostUs: median(flaky.map((f, j) => perRequest(f) - perRequest(happy[j]!))),
        happyRps: median(happy.map(rps)),
        flakyRps: median(flaky.map(rps)),
        errors: [...happy, ...flaky].reduce((n, s) => n + s.errors, 0)
      })
    })
  }
  return {
    concurrencies: options.concurrencies,
    repetitions: options.repetitions,
    requests: options.bound.maxRequests,
    rewarm: options.rewarm.maxRequests,
    rows
  }
}

// --- heap ---------------------------------------------------------------------

/** One heap run (`checkpoints`: heapUsed after a forced GC, before, then after each quarter). */
export type HeapResult = HeapFigures

/**
 * `requests` requests through the steadfast client (default policy, tracing
 * on: what a user gets), heapUsed after a forced GC before and after each
 * quarter.
 */
export const heapGrowth = async (
  origin: string,
  options: { readonly requests: number; readonly concurrency: number; readonly maxMs: number },
  gc: () => void
): Promise<HeapResult> => {
  const runtime = ManagedRuntime.make(
    Layer.merge(Steadfast.layer(options.concurrency, Steadfast.defaults), quietLogger)
  )
  const client = await runtime.runPromise(Client.Client)
  const url = `${origin}/`
  const send = Effect.suspend(() => client.json(HttpClientRequest.get(url)))
  const runPromise = (effect: Effect.Effect<void>) => runtime.runPromise(effect)
  await driveEffect(send, options.concurrency, { maxRequests: 2000, maxMs: 2000 }, runPromise)
  const heap = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  const checkpoints: Array<{ requests: number; heapUsed: number }> = [{ requests: 0, heapUsed: heap() }]
  const tenth = Math.ceil(options.requests / 10)
  const t0 = performance.now()
  let done = 0
  let errors = 0
  for (let q = 0; q < 10; q++) {
    const left = options.maxMs - (performance.now() - t0)
    if (left <= 0) break
    const s = await driveEffect(send, options.concurrency, { maxRequests: tenth, maxMs: left }, runPromise)
    done += s.ok
    errors += s.errors
    checkpoints.push({ requests: done, heapUsed: heap() })
  }
  const seconds = (performance.now() - t0) / 1000
  await runtime.dispose()
  return {
    client: "steadfast default policy (tracing on)",
    concurrency: options.concurrency,
    requests: done,
    errors,
    seconds,
    checkpoints,
    growth: checkpoints[checkpoints.length - 1]!.heapUsed - checkpoints[0]!.heapUsed,
    // the first tenth still fills caches (metric label sets, the pool's connections): the slope skips it
    slopePerThousand: checkpoints.length >= 3
      ? slope(checkpoints.slice(1).map((c) => ({ x: c.requests, y: c.heapUsed }))) * 1000
      : Number.NaN
  }
}

// --- simulated network -----------------------------------------------------------

/** One simulated-network run (`virtualSeconds`: virtual time the run took under `TestClock`). */
export type SimulatedResult = SimulatedFigures

/** The chaos of docs/testing.md: 10% of attempts fail, hangs included (they end by the 1 s response timeout). */
const chaos = Scenario.make({
  "GET /price": Scenario.chaos({
    seed: 42,
    faults: [
      { fault: Fault.reset(), rate: 0.04 },
      { fault: Fault.status(503), rate: 0.03 },
      { fault: Fault.hang(), rate: 0.02 },
      { fault: Fault.truncate(2, Reply.json(200, { p: 1 })), rate: 0.01 }
    ],
    otherwise: Reply.json(200, { p: 1 })
  })
})

/** The same route without faults: the baseline the chaos run is compared with. */
const clean = Scenario.make({
  "GET /price": Scenario.sequence([Reply.json(200, { p: 1 })], { after: "repeat-last" })
})

/**
 * Requests through the core client over `SimulatedNetwork`, with or without
 * 10% seeded chaos, response timeout 1 s.
 * - `"TestClock"`: the default policy, as a test runs it: the load runs in a
 *   fiber and `TestClock.adjust` advances virtual time until it is done
 *   (the network's virtual clock runs each wake-up);
 * - `"live"`: the live clock and a 1 ms backoff base, hangs ending after a
 *   real second.
 */
export const simulated = async (
  options: {
    readonly requests: number
    readonly concurrency: number
    readonly clock: "TestClock" | "live"
    readonly chaos: boolean
    /**
     * `false`: retries at once (backoff base 0), so no fiber sleeps between
     * attempts: what the backoff sleeps cost under `TestClock` (see
     * simulatedCost.ts).
     */
    readonly backoffSleeps?: boolean
  }
): Promise<SimulatedResult> => {
  const testClock = options.clock === "TestClock"
  const load = Effect.gen(function*() {
    const client = yield* Client.Client
    const request = HttpClientRequest.get("https://shop.test/price")
    let failed = 0
    const fiber = yield* Effect.fork(
      Effect.forEach(
        Array.from({ length: options.requests }),
        () => Effect.catchAll(client.json(request), () => Effect.sync(() => void failed++)),
        { concurrency: options.concurrency, discard: true }
      )
    )
    let virtualMs = 0
    if (testClock) {
      while (fiber.unsafePoll() === null) {
        yield* TestClock.adjust("1 minute")
        virtualMs += 60_000
      }
    }
    yield* Fiber.join(fiber)
    const attempts = (yield* (yield* SimulatedNetwork.SimulatedNetwork).timeline).length
    return { failed, attempts, virtualMs }
  })
  const clientOptions: Client.Options = {
    timeouts: { response: "1 second" },
    ...(options.backoffSleeps === false
      ? { retry: { backoff: { base: 0 } } }
      : testClock
      ? {}
      : { retry: { backoff: { base: BACKOFF_BASE } } })
  }
  const provided = load.pipe(
    Effect.provide(
      Client.layer(clientOptions).pipe(Layer.provideMerge(SimulatedNetwork.layer(options.chaos ? chaos : clean)))
    ),
    Effect.provide(quietLogger),
    Effect.withRandom(Random.make(7)),
    Effect.withTracerEnabled(false)
  )
  const program = testClock ? Effect.provide(provided, TestContext.TestContext) : provided
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await Effect.runPromise(program)
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  return {
    clock: options.clock,
    chaos: options.chaos,
    requests: options.requests,
    attempts: result.attempts,
    failed: result.failed,
    concurrency: options.concurrency,
    seconds,
    requestsPerSecond: options.requests / seconds,
    cpuUsPerRequest: (cpu.user + cpu.system) / options.requests,
    virtualSeconds: testClock ? result.virtualMs / 1000 : undefined
  }
}

/** The simulated runs of the report: chaos and no chaos under TestClock, chaos on the live clock. */
export const simulatedRuns = async (
  options: { readonly requests: number; readonly concurrency: number }
): Promise<Array<SimulatedResult>> => [
  await simulated({ ...options, clock: "TestClock", chaos: false }),
  await simulated({ ...options, clock: "TestClock", chaos: true }),
  await simulated({ ...options, clock: "live", chaos: true })
]
