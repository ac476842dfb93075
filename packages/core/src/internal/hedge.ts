/**
 * Hedging, around one attempt: when the attempt has not answered after the
 * hedge delay, start another one (a new attempt of the same call, numbered
 * after it, marked hedged) while the first keeps running; the first to
 * succeed wins and the others are cut off (their transport aborted, their
 * fibers interrupted and awaited, so their sockets are gone when the call
 * returns). A branch that fails while another still runs is recorded and
 * the client waits for the other; when the last one fails, its failure
 * goes on to the client's decision (`decide`) like any attempt's.
 *
 * To the policies before it (breaker, bulkhead), an attempt and its hedges
 * are one attempt. Each hedge spends one retry from the retry budget: a
 * refused withdrawal means no hedge. Only requests that are safe to send
 * twice (an idempotent method, an `Idempotency-Key`, `retryNonIdempotent`,
 * or the policy's own `isSafe`) with a body that can be sent twice are
 * hedged; the others run as if there were no hedge policy.
 *
 * This runs only when a hedge policy is configured: the default path of
 * `call.ts` does not come here, and forks nothing.
 *
 * @internal
 */
import * as Cause from "#line/Cause"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import type { HttpClientRequest } from "#line/http"
import * as MetricLabel from "#line/MetricLabel"
import { currentTimeNanos, updateMetric } from "#line/unsafe"
import * as Option from "effect/Option"
import type * as Errors from "../Errors.js"
import * as Metrics from "../Metrics.js"
import type { AttemptState } from "./attempt.js"
import type { Call } from "./callState.js"
import { decideHedge } from "./decide.js"
import type { Timed } from "./scheduler.js"

/** How long to wait before a hedge: fixed, or a percentile of recent latencies. @internal */
export type Delay =
  | { readonly _tag: "Fixed"; readonly ms: number }
  | {
    readonly _tag: "Percentile"
    /** 0 to 1. */
    readonly percentile: number
    /** The delay until `minSamples` latencies were seen. */
    readonly fallbackMs: number
    readonly minMs: number
    readonly minSamples: number
    readonly samples: number
  }

/** A hedge policy, resolved. @internal */
export interface Config {
  readonly delay: Delay
  readonly maxHedges: number
  readonly isSafe: ((request: HttpClientRequest.HttpClientRequest) => boolean) | undefined
  readonly key: (url: URL) => string
}

/** The latencies of successful attempts, per key (a ring of the last `samples`). */
class Latencies {
  private readonly values: Array<number> = []
  private next = 0

  constructor(private readonly size: number) {}

  add(ms: number): void {
    if (this.values.length < this.size) this.values.push(ms)
    else this.values[this.next] = ms
    this.next = (this.next + 1) % this.size
  }

  get count(): number {
    return this.values.length
  }

  percentile(p: number): number {
    const sorted = [...this.values].sort((a, b) => a - b)
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
  }
}

const MAX_KEYS = 1024

/** The attempts that were hedges (their records say `hedged: true`). @internal */
export const hedgedAttempts = new WeakSet<object>()

/** A hedge policy's state: its config and the latencies it learned. @internal */
export class Hedger {
  private readonly latencies = new Map<string, Latencies>()

  constructor(readonly config: Config) {}

  /** The delay before the next hedge for `key`, in ms. */
  delayMs(key: string): number {
    const delay = this.config.delay
    if (delay._tag === "Fixed") return delay.ms
    const seen = this.latencies.get(key)
    if (seen === undefined || seen.count < delay.minSamples) return delay.fallbackMs
    return Math.max(delay.minMs, seen.percentile(delay.percentile))
  }

  learn(key: string, ms: number): void {
    if (this.config.delay._tag === "Fixed") return
    let seen = this.latencies.get(key)
    if (seen === undefined) {
      if (this.latencies.size >= MAX_KEYS) this.latencies.delete(this.latencies.keys().next().value as string)
      seen = new Latencies(this.config.delay.samples)
      this.latencies.set(key, seen)
    }
    seen.add(ms)
  }

  /** Whether a hedge may start at `startAt` with `hedgesLeft` to go (the rule is `decideHedge`'s). */
  allows(call: Call, hedgesLeft: number, startAt: number): boolean {
    const isSafe = this.config.isSafe
    return decideHedge(call, hedgesLeft, startAt, isSafe === undefined ? call.safe : isSafe(call.request))._tag ===
      "Hedge"
  }
}

type Ended<A> = { readonly attempt: AttemptState; readonly exit: Exit.Exit<A, Errors.HttpError> }

/**
 * The attempts of one hedge group, and its timer: an entry of the client's
 * deadline scheduler (no fiber, no `Effect.timeout`), and an inbox the
 * attempts' fibers put their ends in.
 */
class Group<A> implements Timed {
  heapIndex = -1
  dueAt = Infinity
  /** The hedge delay passed (the scheduler said so). */
  fired = false
  readonly inbox: Array<Ended<A>> = []
  private resume: ((effect: Effect.Effect<void>) => void) | undefined = undefined

  onDue(): number {
    this.fired = true
    this.wake()
    return Infinity
  }

  put(ended: Ended<A>): void {
    this.inbox.push(ended)
    this.wake()
  }

  private wake(): void {
    const resume = this.resume
    this.resume = undefined
    resume?.(Effect.void)
  }

  /** Waits until an attempt ended or the timer fired. */
  readonly next: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.inbox.length > 0 || this.fired) return resume(Effect.void)
    this.resume = resume
    return Effect.sync(() => {
      this.resume = undefined
    })
  })
}

const statusOf = (error: Errors.HttpError) => error._tag === "StatusError" ? error.status : undefined

/**
 * One attempt of `call` with its hedges. `exchange` runs one attempt (hook,
 * hops, the response) without the decision after a failure; `afterFailure`
 * is that decision, for the failure that ends the group.
 *
 * @internal
 */
export const hedged = <A, R>(
  hedger: Hedger,
  call: Call,
  exchange: (attempt: AttemptState) => Effect.Effect<A, Errors.HttpError, R>,
  afterFailure: (attempt: AttemptState, error: Errors.HttpError) => Effect.Effect<A, Errors.HttpError, R>
): Effect.Effect<A, Errors.HttpError, R> =>
  Effect.suspend(() => {
    const key = hedger.config.key(call.url)
    const delayMs = hedger.delayMs(key)
    // no hedge could start (decideHedge): one plain attempt
    if (!hedger.allows(call, hedger.config.maxHedges, call.now() + delayMs)) {
      const current = call.begin()
      return Effect.catchAll(exchange(current), (error) => afterFailure(current, error))
    }
    const scheduler = call.cfg.scheduler
    const group = new Group<A>()
    const running = new Map<AttemptState, Fiber.RuntimeFiber<void, never>>()
    let hedgesLeft = hedger.config.maxHedges

    /** Starts the timer of the next hedge, when decideHedge says one may start then. */
    const arm = (): void => {
      const at = call.now() + delayMs
      if (hedger.allows(call, hedgesLeft, at)) scheduler.schedule(group, at)
    }

    const launch = (hedge: boolean): Effect.Effect<void, never, R> => {
      const attempt = call.begin()
      if (hedge) hedgedAttempts.add(attempt)
      const startedAt = call.now()
      return Effect.map(
        Effect.fork(Effect.flatMap(Effect.exit(exchange(attempt)), (exit) =>
          Effect.sync(() => {
            if (Exit.isSuccess(exit)) hedger.learn(key, call.now() - startedAt)
            group.put({ attempt, exit })
          }))),
        (fiber) => {
          running.set(attempt, fiber)
        }
      )
    }

    /** Cuts off the attempts still running (their transport first, then their fibers), recording each. */
    const cutOff = (lost: boolean): Effect.Effect<void> => {
      scheduler.cancel(group)
      if (running.size === 0) return Effect.void
      const fibers: Array<Fiber.RuntimeFiber<void, never>> = []
      const now = call.now()
      for (const [attempt, fiber] of running) {
        attempt.abort("Interrupted")
        attempt.done()
        if (lost) {
          call.record(attempt, "Interrupted", attempt.status, undefined, "hedge-lost", 0, now)
          if (hedgedAttempts.has(attempt)) updateMetric(Metrics.hedges, 1, [MetricLabel.make("outcome", "lost")])
        }
        fibers.push(fiber)
      }
      running.clear()
      return Fiber.interruptAll(fibers)
    }

    const loop: Effect.Effect<A, Errors.HttpError, R> = Effect.flatMap(group.next, () => {
      const ended = group.inbox.shift()
      if (ended === undefined) {
        // no answer within the delay: a hedge, if the retry budget pays for it
        group.fired = false
        hedgesLeft--
        if (!call.cfg.budget.withdraw(call.url.origin, call.now())) {
          updateMetric(Metrics.hedges, 1, [MetricLabel.make("outcome", "refused")])
          hedgesLeft = 0
          return loop
        }
        call.span?.event("steadfast.hedge", currentTimeNanos(call.cfg.clock), {
          "steadfast.attempt": call.attempts + 1,
          "steadfast.delay_ms": delayMs
        })
        return Effect.zipRight(launch(true), Effect.suspend(() => (arm(), loop)))
      }
      const { attempt, exit } = ended
      running.delete(attempt)
      if (Exit.isSuccess(exit)) {
        if (hedgedAttempts.has(attempt)) updateMetric(Metrics.hedges, 1, [MetricLabel.make("outcome", "won")])
        call.current = attempt
        return Effect.as(cutOff(true), exit.value)
      }
      const failed = Cause.failureOption(exit.cause)
      if (Option.isNone(failed)) return Effect.zipRight(cutOff(false), Effect.failCause(exit.cause))
      const error = failed.value
      if (hedgedAttempts.has(attempt)) updateMetric(Metrics.hedges, 1, [MetricLabel.make("outcome", "failed")])
      if (running.size > 0) {
        // another attempt is still running: wait for it
        attempt.end()
        call.record(attempt, error._tag, statusOf(error), undefined, "hedge-wait", 0, call.now())
        return loop
      }
      scheduler.cancel(group)
      call.current = attempt
      return afterFailure(attempt, error)
    })

    return Effect.onInterrupt(
      Effect.zipRight(launch(false), Effect.suspend(() => (arm(), loop))),
      () => cutOff(false)
    )
  })
