/**
 * The Redis `RateLimiterStore` on the Effect 4 line: `effect/persistence`'s
 * Redis store over an `ioredis` connection (Effect 4's store talks to a
 * `Redis` service; this one sends each command with `ioredis`' `call`), each
 * command bounded by `bound` (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redis from "effect/persistence/Redis"
import type * as Scope from "effect/Scope"
import { Redis as IORedis, type RedisOptions } from "ioredis"

/** @internal */
export type Store = Context.Service.Shape<typeof RateLimiter.RateLimiterStore>

/** A store over a Redis connection made from `options` (closed with the scope). @internal */
export const makeRedisStore = (
  options: RedisOptions & { readonly prefix: string },
  bound: <A>(effect: Effect.Effect<A, RateLimiter.RateLimiterError>) => Effect.Effect<A, RateLimiter.RateLimiterError>
): Effect.Effect<Store, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { prefix, ...connection } = options
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => new IORedis(connection as RedisOptions)),
      (c) => Effect.promise(() => c.quit().then(() => undefined, () => c.disconnect()))
    )
    const send = <A = unknown>(command: string, ...args: ReadonlyArray<string>): Effect.Effect<A, Redis.RedisError> =>
      Effect.tryPromise({
        try: () => client.call(command, ...args) as Promise<A>,
        catch: (cause) => new Redis.RedisError({ cause })
      })
    const redis = yield* Redis.make({
      send,
      subscribe: () => Effect.die(new Error("steadfast: the rate limit store subscribes to nothing")),
      connect: Effect.succeed({ send, close: Effect.void })
    })
    const store = yield* Effect.provideService(RateLimiter.makeStoreRedis({ prefix }), Redis.Redis, redis)
    return {
      fixedWindow: (o) => bound(store.fixedWindow(o)),
      tokenBucket: (o) => bound(store.tokenBucket(o)),
      adaptiveConsume: (o) => bound(store.adaptiveConsume(o)),
      adaptiveFeedback: (o) => bound(store.adaptiveFeedback(o))
    } satisfies Store
  })

/**
 * The Redis key under which the store keeps `key`'s quota: Effect 4's store
 * writes `<prefix><key>` with `%` and `:` in the key percent-encoded (Effect
 * 3's writes the key as it is, so the two lines' limiters never share a
 * quota). @internal
 */
export const redisKey = (prefix: string, key: string): string =>
  `${prefix}${key.replaceAll("%", "%25").replaceAll(":", "%3A")}`
