/**
 * Bounded closed-loop load: `concurrency` workers each send a request, wait
 * for it (body read and parsed), and send the next, until `maxRequests` have
 * been started or `maxMs` have passed, whichever comes first; then the
 * requests in flight finish. Effect clients run in one of two shapes:
 * long-lived worker fibers, or a fiber per request (`Effect.forEach` with
 * `concurrency`, as users write it). Client CPU time is `process.cpuUsage()` (user +
 * system, every thread of this process: main, libuv pool, GC helpers) from
 * before the first request to after the last.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"

export interface Bound {
  readonly maxRequests: number
  readonly maxMs: number
}

/** One run of one client at one concurrency. */
export interface Sample {
  readonly ok: number
  readonly errors: number
  readonly firstError: string | undefined
  readonly wallMs: number
  /** Client CPU (user + system) over the run, in microseconds. */
  readonly cpuUs: number
  /** Latency of each successful request, in microseconds, sorted ascending. */
  readonly latenciesUs: Float64Array
}

/** The per-run state shared by the workers of a run. */
class Tally {
  started = 0
  ok = 0
  errors = 0
  firstError: string | undefined = undefined
  readonly latencies: Float64Array
  readonly endAt: number

  constructor(readonly bound: Bound) {
    this.latencies = new Float64Array(bound.maxRequests)
    this.endAt = performance.now() + bound.maxMs
  }

  /** Claims the next request, or says the run is over. */
  next(): boolean {
    if (this.started >= this.bound.maxRequests || performance.now() >= this.endAt) return false
    this.started++
    return true
  }

  success(startedAt: number): void {
    this.latencies[this.ok++] = (performance.now() - startedAt) * 1000
  }

  failure(error: unknown): void {
    this.errors++
    this.firstError ??= describe(error)
  }
}

const describe = (error: unknown): string => {
  if (error instanceof Error) {
    const tag = (error as { _tag?: unknown })._tag
    return `${typeof tag === "string" ? `${tag}: ` : ""}${error.message}`.slice(0, 200)
  }
  if (typeof error === "object" && error !== null && "_tag" in error) return String((error as { _tag: unknown })._tag)
  return String(error).slice(0, 200)
}

const measure = async (tally: Tally, body: () => Promise<void>): Promise<Sample> => {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await body()
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return {
    ok: tally.ok,
    errors: tally.errors,
    firstError: tally.firstError,
    wallMs,
    cpuUs: cpu.user + cpu.system,
    latenciesUs: tally.latencies.slice(0, tally.ok).sort()
  }
}

/** Drives a Promise-returning request function. */
export const drivePromise = (
  send: () => Promise<unknown>,
  concurrency: number,
  bound: Bound
): Promise<Sample> => {
  const tally = new Tally(bound)
  const worker = async (): Promise<void> => {
    while (tally.next()) {
      const startedAt = performance.now()
      try {
        await send()
        tally.success(startedAt)
      } catch (error) {
        tally.failure(error)
      }
    }
  }
  return measure(tally, async () => {
    const workers: Array<Promise<void>> = []
    for (let i = 0; i < concurrency; i++) workers.push(worker())
    await Promise.all(workers)
  })
}

/** One request, its latency and outcome counted in `tally`. */
const timed = <E, R>(tally: Tally, send: Effect.Effect<unknown, E, R>): Effect.Effect<void, never, R> =>
  Effect.suspend(() => {
    const startedAt = performance.now()
    return Effect.matchCause(send, {
      onFailure: (cause) => tally.failure(Cause.squash(cause)),
      onSuccess: () => tally.success(startedAt)
    })
  })

/**
 * How an Effect client is driven: `workers` (c long-lived fibers, each a
 * loop) or `each` (one fiber per request: `Effect.forEach(items, f, {
 * concurrency: c })`, the shape of user code, which pays a fork per request).
 */
export type Shape = "workers" | "each"

/**
 * Drives an Effect request: `concurrency` fibers, each looping with
 * `Effect.whileLoop`, run by `runPromise` (which carries the client's
 * runtime: its layer was built before the run).
 */
export const driveEffect = <E, R>(
  send: Effect.Effect<unknown, E, R>,
  concurrency: number,
  bound: Bound,
  runPromise: (effect: Effect.Effect<void, never, R>) => Promise<void>
): Promise<Sample> => {
  const tally = new Tally(bound)
  const one = timed(tally, send)
  const worker = Effect.whileLoop({ while: () => tally.next(), body: () => one, step: () => {} })
  const workers = Array.from({ length: concurrency }, () => worker)
  return measure(tally, () => runPromise(Effect.all(workers, { concurrency: "unbounded", discard: true })))
}

/**
 * Drives an Effect request with a fiber per request: `Effect.forEach` over
 * `maxRequests` items with `concurrency`. Effect 3's `forEach` takes its
 * items up front, so an item started after `maxMs` returns at once without a
 * request (a fork and a check: it stays in the CPU figure, which is divided
 * by the requests completed; runs are sized so the count bound comes first).
 */
export const driveEffectEach = <E, R>(
  send: Effect.Effect<unknown, E, R>,
  concurrency: number,
  bound: Bound,
  runPromise: (effect: Effect.Effect<void, never, R>) => Promise<void>
): Promise<Sample> => {
  const tally = new Tally(bound)
  const request = timed(tally, send)
  const one = Effect.suspend(() => tally.next() ? request : Effect.void)
  const items = Array.from({ length: bound.maxRequests }, (_, i) => i)
  return measure(tally, () => runPromise(Effect.forEach(items, () => one, { concurrency, discard: true })))
}
