/**
 * A rate limiter store that is down, for the tests of what the limiter does
 * then: every operation fails with the store's error. Effect 3's store
 * (`@effect/experimental`) has two operations, Effect 4's four.
 */
import * as RateLimiter from "#line/RateLimiter"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/** A store whose every operation calls `onCall` and fails with the store's error saying `message`. */
export const failingStore = (
  onCall: () => void,
  message: string
): Context.Service.Shape<typeof RateLimiter.RateLimiterStore> => {
  const fail = () => Effect.andThen(Effect.sync(onCall), Effect.fail(RateLimiter.storeError(message)))
  return { fixedWindow: fail, tokenBucket: fail, adaptiveConsume: fail, adaptiveFeedback: fail }
}
