/**
 * The bulkhead as a gate of the call loop: per key, at most `maxConcurrent`
 * attempts hold a slot, at most `maxQueue` wait for one, in arrival order.
 *
 * A slot is taken by `admit` (at once when one is free: no Effect runs) and
 * given back by `observe` when the attempt ends (the body helpers' body
 * read included), or by `release` when the request fails or is interrupted
 * before that — every exit gives it back, and a slot given back goes
 * straight to the first waiter. A waiter that is interrupted, or whose wait
 * ran out, leaves the queue.
 *
 * @internal
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as MetricLabel from "#line/MetricLabel"
import { updateMetric } from "#line/unsafe"
import * as Errors from "../Errors.js"
import * as Metrics from "../Metrics.js"
import type { Gate, GateRequest } from "./policy.js"
import { redactUrl } from "./redact.js"
import { withoutStack } from "./transport.js"

/** The most keys a bulkhead keeps; idle ones are dropped past it. @internal */
export const MAX_KEYS = 1024

/** What the gate needs. @internal */
export interface Config {
  readonly maxConcurrent: number
  readonly maxQueue: number
  /** The longest wait in the queue (`Infinity`: until the request's deadline). */
  readonly maxWaitMs: number
  readonly key: (url: URL) => string
}

/** A bulkhead's numbers for one key, as `Bulkhead.state` reports them. @internal */
export interface Snapshot {
  readonly key: string
  readonly inFlight: number
  readonly queued: number
  readonly maxConcurrent: number
  readonly maxQueue: number
}

interface Waiter {
  readonly owner: GateRequest
  /** The attempt it waits for, when its wait began, and when it runs out (`Infinity`: never). */
  readonly attempt: number
  readonly since: number
  readonly until: number
  /** Set when its wait runs; a slot handed over before that is taken when it does. */
  resume: ((effect: Effect.Effect<void, Errors.HttpError>) => void) | undefined
  /** The slot was handed to it. */
  granted: boolean
  /** It left the queue (granted, interrupted or timed out). */
  gone: boolean
}

/** One key's slots and queue. */
class Lane {
  inFlight = 0
  readonly holders = new Set<object>()
  readonly queue: Array<Waiter> = []
  readonly labels: ReadonlyArray<MetricLabel.MetricLabel>

  constructor(readonly key: string) {
    this.labels = [MetricLabel.make("key", key)]
  }

  get queued(): number {
    return this.queue.length
  }

  gauges(): void {
    updateMetric(Metrics.bulkheadInFlight, this.inFlight, this.labels)
    updateMetric(Metrics.bulkheadQueued, this.queue.length, this.labels)
  }
}

const cleanKey = (key: string) => /[@?#]/.test(key) ? redactUrl(key) : key

/** The lanes of one bulkhead, and its gate. @internal */
export class Lanes {
  private readonly byKey = new Map<string, Lane>()

  constructor(readonly config: Config) {}

  private lane(key: string): Lane {
    let lane = this.byKey.get(key)
    if (lane === undefined) {
      if (this.byKey.size >= MAX_KEYS) {
        for (const [k, l] of this.byKey) {
          if (l.inFlight === 0 && l.queue.length === 0) {
            this.byKey.delete(k)
            break
          }
        }
      }
      lane = new Lane(cleanKey(key))
      this.byKey.set(key, lane)
    }
    return lane
  }

  snapshot(key: string): Snapshot {
    const lane = this.byKey.get(key)
    return {
      key: cleanKey(key),
      inFlight: lane?.inFlight ?? 0,
      queued: lane?.queued ?? 0,
      maxConcurrent: this.config.maxConcurrent,
      maxQueue: this.config.maxQueue
    }
  }

  /** Gives `owner`'s slot back (if it holds one) and hands it to the first waiter. */
  private giveBack(key: string, owner: object): void {
    const lane = this.byKey.get(key)
    if (lane === undefined || !lane.holders.delete(owner)) return
    lane.inFlight--
    this.handOn(lane)
    lane.gauges()
  }

  private handOn(lane: Lane): void {
    while (lane.inFlight < this.config.maxConcurrent && lane.queue.length > 0) {
      const waiter = lane.queue.shift()!
      waiter.gone = true
      // its wait runs out at this very instant, its timer not run yet: refused as when the timer runs first, so
      // the outcome does not hang on which of two timers due at one instant the runtime runs first
      if (waiter.owner.now() >= waiter.until) {
        waiter.resume?.(Effect.fail(this.refusedWaiter(lane, waiter)))
        continue
      }
      waiter.granted = true
      lane.inFlight++
      lane.holders.add(waiter.owner)
      waiter.resume?.(Effect.void)
    }
  }

  private rejected(
    lane: Lane,
    request: GateRequest,
    attempt: number,
    reason: "queue-full" | "wait",
    waitedMs?: number
  ): Errors.BulkheadRejected {
    updateMetric(Metrics.bulkheadRejected, 1, [MetricLabel.make("reason", reason)])
    return withoutStack(() =>
      new Errors.BulkheadRejected({
        request: request.requestInfo,
        attempts: attempt - 1,
        history: [],
        key: lane.key,
        reason,
        limit: this.config.maxConcurrent,
        inFlight: lane.inFlight,
        maxQueue: this.config.maxQueue,
        queued: lane.queue.length,
        ...(waitedMs === undefined ? {} : { waitedMs })
      }, true)
    )
  }

  private refusedWaiter(lane: Lane, waiter: Waiter): Errors.BulkheadRejected {
    return this.rejected(lane, waiter.owner, waiter.attempt, "wait", waiter.owner.now() - waiter.since)
  }

  /**
   * Queues `request` now (its place is taken at once, so the queue never
   * holds more than `maxQueue`), and waits for a slot, at most `waitMs`.
   */
  private wait(
    lane: Lane,
    key: string,
    request: GateRequest,
    attempt: number,
    waitMs: number
  ): Effect.Effect<void, Errors.HttpError> {
    const since = request.now()
    const until = since + Math.max(0, waitMs)
    const waiter: Waiter = { owner: request, attempt, since, until, resume: undefined, granted: false, gone: false }
    lane.queue.push(waiter)
    lane.gauges()
    const queued = Effect.async<void, Errors.HttpError>((resume) => {
      if (waiter.granted) return resume(Effect.void)
      if (waiter.gone) return resume(Effect.fail(this.refusedWaiter(lane, waiter)))
      waiter.resume = resume
      // interrupted (or out of time): leave the queue; a slot handed over meanwhile goes on
      return Effect.sync(() => this.leave(lane, key, request, waiter))
    })
    if (!Number.isFinite(waitMs)) return queued
    return Effect.timeoutFail(queued, {
      duration: Duration.millis(Math.max(0, waitMs)),
      onTimeout: () => this.refusedWaiter(lane, waiter)
    })
  }

  private leave(lane: Lane, key: string, owner: object, waiter: Waiter): void {
    if (waiter.granted) {
      this.giveBack(key, owner)
      return
    }
    if (waiter.gone) return
    waiter.gone = true
    const index = lane.queue.indexOf(waiter)
    if (index >= 0) lane.queue.splice(index, 1)
    lane.gauges()
  }

  /** The request ended: its slot, or its place in the queue, is given back. */
  private end(key: string, owner: object): void {
    const lane = this.byKey.get(key)
    if (lane === undefined) return
    if (lane.holders.has(owner)) return this.giveBack(key, owner)
    const waiter = lane.queue.find((w) => w.owner === owner)
    if (waiter !== undefined) this.leave(lane, key, owner, waiter)
  }

  /** Takes a free slot for `owner` when there is one and nobody waits for it. */
  private take(lane: Lane, owner: object): boolean {
    if (lane.inFlight >= this.config.maxConcurrent || lane.queue.length > 0) return false
    lane.inFlight++
    lane.holders.add(owner)
    lane.gauges()
    return true
  }

  readonly gate: Gate = {
    name: "bulkhead",
    admit: (request, attempt) => {
      const key = this.config.key(request.url)
      const lane = this.lane(key)
      if (lane.holders.has(request) || this.take(lane, request)) return undefined
      if (lane.queue.length >= this.config.maxQueue) {
        return Effect.fail(this.rejected(lane, request, attempt, "queue-full"))
      }
      const waitMs = Math.min(this.config.maxWaitMs, request.deadlineAt - request.now())
      return this.wait(lane, key, request, attempt, waitMs)
    },
    // the attempt ended (its body read, for the body helpers): the slot goes to the next waiter
    observe: (request) => {
      this.giveBack(this.config.key(request.url), request)
    },
    release: (request) => {
      this.end(this.config.key(request.url), request)
    }
  }
}
