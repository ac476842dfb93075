/**
 * The rate limiter of `effect/persistence` for the Effect 4 line, in the
 * Effect 3 shape the shared source uses: a limiter's `consume` fails with
 * the reason itself (`RateLimitExceeded` or `RateLimitStoreError`; Effect 4
 * wraps it in a `RateLimiterError`), and `isStoreError` tells them apart.
 * See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as RateLimiter from "effect/persistence/RateLimiter"

export * from "effect/persistence/RateLimiter"

/** @internal */
export interface Limiter {
  readonly consume: (
    options: Parameters<RateLimiter.RateLimiter["consume"]>[0]
  ) => Effect.Effect<RateLimiter.ConsumeResult, RateLimiter.RateLimiterErrorReason>
}

/** @internal */
export type { Limiter as RateLimiter }

/** @internal */
export const make: Effect.Effect<Limiter, never, RateLimiter.RateLimiterStore> = Effect.map(
  RateLimiter.make,
  (limiter): Limiter => ({ consume: (options) => Effect.mapError(limiter.consume(options), (e) => e.reason) })
)

/** @internal */
export const isStoreError = (e: RateLimiter.RateLimiterErrorReason): e is RateLimiter.RateLimitStoreError =>
  e._tag === "RateLimitStoreError"

/** The store failed: `message` says how. @internal */
export const storeError = (message: string): RateLimiter.RateLimiterError =>
  new RateLimiter.RateLimiterError({ reason: new RateLimiter.RateLimitStoreError({ message }) })
