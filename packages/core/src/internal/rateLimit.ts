/**
 * The limiter behind `RateLimit`: the client's own quota, kept by
 * `@effect/experimental`'s `RateLimiter` over a store (memory or Redis), plus
 * what servers said, kept per key in this process.
 *
 * @internal
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as RateLimiter from "#line/RateLimiter"
import { currentTimeMillis } from "#line/unsafe"
import type { Limiter, Refusal, Resolved } from "../RateLimit.js"
import * as RateLimitHeaders from "../RateLimitHeaders.js"
import * as Learned from "./learned.js"

/** After a store failure, the fallback is used this long before the store is asked again. */
export const STORE_RETRY_MS = 1000

/** Learned entries kept before the stale ones are swept. */
const SWEEP_AT = 1024

class StoreDown {
  readonly _tag = "StoreDown"
  constructor(readonly cause: unknown) {}
}

const refusal = (key: string, waitMs: number, reason: Refusal["reason"]): Refusal => ({
  key,
  waitMs: Math.max(0, Math.ceil(waitMs)),
  reason
})

type ConsumeOptions = Parameters<RateLimiter.RateLimiter["consume"]>[0]

/**
 * Builds a limiter over the `RateLimiterStore` in the context. A second,
 * in-memory limiter with the same options is the fallback when the store
 * fails and `onStoreFailure` is `"local"`.
 *
 * @internal
 */
export const make = (options: Resolved): Effect.Effect<Limiter, never, RateLimiter.RateLimiterStore> =>
  Effect.gen(function*() {
    const primary = yield* RateLimiter.make
    const local = yield* Effect.provide(RateLimiter.make, RateLimiter.layerStoreMemory)
    const learned = new Map<string, Learned.Learned>()
    // 0: the store is fine; otherwise the time before which the fallback is used
    let storeDownUntil = 0
    let down = false

    const quota: Omit<ConsumeOptions, "key" | "onExceeded"> | undefined = options.limit === undefined
      ? undefined
      : options.algorithm === "fixed-window"
      ? { algorithm: "fixed-window", limit: options.limit, window: Duration.millis(options.windowMs) }
      : {
        // a bucket of `burst` tokens refilled at limit/window: window × burst / limit holds `burst` tokens
        algorithm: "token-bucket",
        limit: options.burst,
        window: Duration.millis(options.windowMs * options.burst / options.limit)
      }

    type Consumed = Effect.Effect<RateLimiter.ConsumeResult, RateLimiter.RateLimitExceeded | StoreDown>

    const consume = (key: string, onExceeded: "fail" | "delay", now: number): Consumed => {
      const request: ConsumeOptions = { ...quota!, key, onExceeded }
      // the memory store never fails
      const viaLocal = local.consume(request) as Effect.Effect<RateLimiter.ConsumeResult, RateLimiter.RateLimitExceeded>
      const orFallback = (cause: unknown): Consumed =>
        options.onStoreFailure === "local" ? viaLocal : Effect.fail(new StoreDown(cause))
      if (now < storeDownUntil) return orFallback(undefined)
      // while a call probes a store that was down, the others use the fallback
      if (down) storeDownUntil = now + STORE_RETRY_MS
      return Effect.catchIf(
        Effect.tap(primary.consume(request), () => {
          if (!down) return Effect.void
          down = false
          storeDownUntil = 0
          return Effect.logInfo(`steadfast rate limit: the store answers again; the shared quota applies`)
        }),
        RateLimiter.isStoreError,
        (e): Consumed =>
          Effect.clockWith((clock) => {
            storeDownUntil = currentTimeMillis(clock) + STORE_RETRY_MS
            if (down) return orFallback(e)
            down = true
            return Effect.zipRight(
              Effect.logWarning(
                `steadfast rate limit: the store failed (${e.message}${
                  e.cause instanceof Error ? `: ${e.cause.message}` : ""
                }); ${
                  options.onStoreFailure === "local"
                    ? "using a local limiter in this process until it answers"
                    : "requests are refused until it answers (onStoreFailure: \"fail\")"
                }`
              ),
              orFallback(e)
            )
          })
      ) as Consumed
    }

    const tooLong = (start: number, now: number, wait: number, deadlineAt: number) =>
      now - start + wait > options.maxWaitMs || now + wait >= deadlineAt

    // Attempts of this process that must wait for a slot check and reserve one at a time per key:
    // otherwise several would see room for one more within their budget, all reserve, and the
    // ones pushed past it would give up slots nobody uses.
    const locks = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>()
    const oneAtATime = <A, E>(key: string, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.suspend(() => {
        let lock = locks.get(key)
        if (lock === undefined) locks.set(key, lock = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 })
        const held = lock
        held.users++
        return Effect.ensuring(
          held.semaphore.withPermits(1)(effect),
          Effect.sync(() => {
            if (--held.users === 0) locks.delete(key)
          })
        )
      })

    /** The client's own quota: a slot now, or a reserved one within the budget, or a refusal. */
    const takeQuota = (key: string, start: number, deadlineAt: number): Effect.Effect<void, Refusal> =>
      Effect.clockWith((clock) =>
        Effect.matchEffect(consume(key, "fail", currentTimeMillis(clock)), {
          onSuccess: () => Effect.void,
          onFailure: (e): Effect.Effect<void, Refusal> => {
            if (e._tag === "StoreDown") return Effect.fail(refusal(key, 0, "store"))
            // no slot within the budget: refuse at once, without queueing for the lock
            const wait = Duration.toMillis(e.retryAfter)
            if (tooLong(start, currentTimeMillis(clock), wait, deadlineAt)) {
              return Effect.fail(refusal(key, wait, "quota"))
            }
            return Effect.flatMap(
              oneAtATime(key, reserve(key, start, deadlineAt)),
              (delay) => delay > 0 ? Effect.sleep(Duration.millis(delay)) : Effect.void
            )
          }
        })
      )

    /** A slot now (0), or how long until the slot it reserved (waited for outside the lock), or a refusal. */
    const reserve = (key: string, start: number, deadlineAt: number): Effect.Effect<number, Refusal> =>
      Effect.clockWith((clock) => {
        const now = currentTimeMillis(clock)
        return Effect.matchEffect(consume(key, "fail", now), {
          onSuccess: () => Effect.succeed(0),
          onFailure: (e): Effect.Effect<number, Refusal> => {
            if (e._tag === "StoreDown") return Effect.fail(refusal(key, 0, "store"))
            const wait = Duration.toMillis(e.retryAfter)
            if (tooLong(start, now, wait, deadlineAt)) return Effect.fail(refusal(key, wait, "quota"))
            // reserve the next slot (the store queues it)
            return Effect.matchEffect(consume(key, "delay", now), {
              onFailure: (e2) =>
                Effect.fail(
                  e2._tag === "StoreDown"
                    ? refusal(key, 0, "store")
                    : refusal(key, Duration.toMillis(e2.retryAfter), "quota")
                ),
              onSuccess: (result) => {
                const delay = Duration.toMillis(result.delay)
                if (delay <= 0) return Effect.succeed(0)
                // another process took the slots seen a moment ago: this one is given up
                if (tooLong(start, now, delay, deadlineAt)) return Effect.fail(refusal(key, delay, "quota"))
                return Effect.succeed(delay)
              }
            })
          }
        })
      })

    /** What the server said: go (counting the request), wait, or refuse. */
    const heedServer = (key: string, start: number, deadlineAt: number): Effect.Effect<void, Refusal> =>
      Effect.clockWith((clock) => {
        const now = currentTimeMillis(clock)
        const { state, wait } = Learned.admit(learned.get(key), now)
        if (wait === 0) {
          if (state !== undefined) learned.set(key, state)
          return Effect.void
        }
        if (tooLong(start, now, wait, deadlineAt)) return Effect.fail(refusal(key, wait, "server"))
        return Effect.zipRight(Effect.sleep(Duration.millis(wait)), heedServer(key, start, deadlineAt))
      })

    const acquire = (method: string, url: URL, deadlineAt: number): Effect.Effect<void, Refusal> => {
      const key = options.key({ method, url })
      if (key === undefined) return Effect.void
      if (quota === undefined) {
        if (!options.learn || !learned.has(key)) return Effect.void
        return Effect.clockWith((clock) => heedServer(key, currentTimeMillis(clock), deadlineAt))
      }
      return Effect.clockWith((clock) => {
        const start = currentTimeMillis(clock)
        // refuse at once, before taking a slot, when the server already said no for longer than we may wait
        const known = learned.get(key)
        if (known !== undefined) {
          const peek = Learned.admit(known, start).wait
          if (peek > 0 && tooLong(start, start, peek, deadlineAt)) return Effect.fail(refusal(key, peek, "server"))
        }
        const taken = takeQuota(key, start, deadlineAt)
        return options.learn ? Effect.zipRight(taken, heedServer(key, start, deadlineAt)) : taken
      })
    }

    const observe = (
      method: string,
      url: URL,
      status: number,
      headers: Readonly<Record<string, string | undefined>>,
      now: number
    ): void => {
      if (!options.learn) return
      const observation = RateLimitHeaders.read(status, headers, now)
      if (observation === undefined) return
      const key = options.key({ method, url })
      if (key === undefined) return
      const next = Learned.observe(learned.get(key), observation, now)
      if (next === undefined) return
      learned.set(key, next)
      if (learned.size > SWEEP_AT) {
        for (const [k, v] of learned) if (!Learned.isLive(v, now)) learned.delete(k)
      }
    }

    return { options, acquire, observe }
  })
