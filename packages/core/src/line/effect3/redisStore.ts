/**
 * The Redis `RateLimiterStore` on the Effect 3 line:
 * `@effect/experimental/RateLimiter/Redis` over `ioredis`, each command
 * bounded by `bound` (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import * as Experimental from "@effect/experimental/RateLimiter"
import * as ExperimentalRedis from "@effect/experimental/RateLimiter/Redis"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { RedisOptions } from "ioredis"

/** @internal */
export type Store = Context.Tag.Service<Experimental.RateLimiterStore>

/** A store over a Redis connection made from `options` (closed with the scope). @internal */
export const makeRedisStore = (
  options: RedisOptions & { readonly prefix: string },
  bound: <A>(effect: Effect.Effect<A, Experimental.RateLimiterError>) => Effect.Effect<A, Experimental.RateLimiterError>
): Effect.Effect<Store, never, Scope.Scope> =>
  // ioredis' own types do not hold under exactOptionalPropertyTypes
  Effect.map(ExperimentalRedis.make(options as Parameters<typeof ExperimentalRedis.make>[0]), (store) =>
    Experimental.RateLimiterStore.of({
      fixedWindow: (o) =>
        bound(store.fixedWindow(o)),
      tokenBucket: (o) => bound(store.tokenBucket(o))
    }))

/**
 * The Redis key under which the store keeps `key`'s quota: `@effect/experimental`
 * writes `<prefix><key>` (Effect 4's store escapes the key, so the two lines'
 * limiters never share a quota). @internal
 */
export const redisKey = (prefix: string, key: string): string => `${prefix}${key}`
