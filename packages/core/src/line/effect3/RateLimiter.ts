/**
 * `@effect/experimental/RateLimiter` for the Effect 3 line: the shared
 * source is written in this spelling, so this line's seam is the module
 * itself, plus `isStoreError` (the store failed, as opposed to the quota).
 * See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as RateLimiter from "@effect/experimental/RateLimiter"
import { RateLimitStoreError } from "@effect/experimental/RateLimiter"

export * from "@effect/experimental/RateLimiter"

/** @internal */
export const isStoreError = (
  e: RateLimiter.RateLimitExceeded | RateLimiter.RateLimitStoreError
): e is RateLimiter.RateLimitStoreError => e.reason === "StoreError"

/** The store failed: `message` says how. @internal */
export const storeError = (message: string): RateLimiter.RateLimiterError => new RateLimitStoreError({ message })
