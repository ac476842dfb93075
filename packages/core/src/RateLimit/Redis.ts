/**
 * One quota shared by every replica: the `RateLimit` limiter over
 * `@effect/experimental`'s Redis store (`RateLimiter/Redis`, over `ioredis`).
 *
 * A subpath of its own (`@steadfast/core/RateLimit/Redis`) so that programs
 * that never use Redis never load `ioredis`: it is an optional peer
 * dependency, installed by those who import this module (`npm i ioredis@5`).
 *
 * When Redis does not answer within `timeout` (down, unreachable, too slow),
 * the limiter's `onStoreFailure` decides: `"local"` (the default) fails open
 * to an in-process limiter, `"fail"` refuses with `RateLimited`. No request
 * ever hangs on Redis: every command is bounded by the timeout, and `ioredis`
 * reconnects by itself in the background (every 50 ms, backing off to 2 s);
 * the limiter asks Redis again one second after a failure.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Client } from "@steadfast/core"
 * import * as RateLimitRedis from "@steadfast/core/RateLimit/Redis"
 *
 * // every replica shares 100 requests per second per origin
 * const ClientLive = Client.layer().pipe(
 *   Layer.provide(RateLimitRedis.layer({ limit: 100 }, { url: "redis://redis.internal:6379" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "#line/Config"
import type * as ConfigError from "#line/ConfigError"
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Layer from "#line/Layer"
import * as Experimental from "#line/RateLimiter"
import { makeRedisStore } from "#line/redisStore"
import * as Scope from "#line/Scope"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { RedisOptions } from "ioredis"
import * as RateLimit from "../RateLimit.js"

/**
 * Where Redis is and how to talk to it. Every field documents its default.
 *
 * @since 0.1.0
 */
export interface Connection {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS.
   * @default "redis://127.0.0.1:6379"
   */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** More `ioredis` options, applied over the url's. @default none */
  readonly redis?: RedisOptions | undefined
  /** The prefix of every key the limiter writes. @default "steadfast:ratelimit:" */
  readonly prefix?: string | undefined
  /**
   * The longest a Redis command may take; past it the command counts as a
   * store failure (see `onStoreFailure`). Redis answers in well under a
   * millisecond on a healthy network.
   * @default "500 millis"
   */
  readonly timeout?: Duration.DurationInput | undefined
}

/** How long closing the connection may take before it is left behind. */
const CLOSE_TIMEOUT = Duration.seconds(2)

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The `ioredis` options a Redis url stands for.
 *
 * @since 0.1.0
 */
export const optionsFromUrl = (url: string): RedisOptions => {
  const parsed = new URL(url)
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new TypeError(`a Redis url starts with redis:// or rediss:// (got ${parsed.protocol}//)`)
  }
  const db = parsed.pathname.replace(/^\//, "")
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    ...(parsed.username === "" ? {} : { username: decode(parsed.username) }),
    ...(parsed.password === "" ? {} : { password: decode(parsed.password) }),
    ...(db === "" ? {} : { db: Number(db) }),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {})
  }
}

/**
 * The Redis `RateLimiterStore` of `@effect/experimental` (Effect 4:
 * `effect/persistence`), with
 * every command bounded by `timeout`, and a close that cannot hang when
 * Redis is gone.
 *
 * @since 0.1.0
 */
export const layerStore = (connection: Connection = {}): Layer.Layer<Experimental.RateLimiterStore> =>
  Layer.scoped(
    Experimental.RateLimiterStore,
    Effect.gen(function*() {
      const timeout = Duration.decode(connection.timeout ?? "500 millis")
      const timeoutMs = Math.max(1, Math.round(Duration.toMillis(timeout)))
      const url = connection.url === undefined
        ? "redis://127.0.0.1:6379"
        : Redacted.isRedacted(connection.url)
        ? Redacted.value(connection.url)
        : connection.url
      const options: RedisOptions & { readonly prefix: string } = {
        ...optionsFromUrl(url),
        // every command, queued or sent, fails after the timeout instead of waiting for a reconnect
        commandTimeout: timeoutMs,
        // commands queued while disconnected are dropped at the first failed reconnect
        maxRetriesPerRequest: 1,
        connectTimeout: Math.max(timeoutMs, 2_000),
        ...connection.redis,
        prefix: connection.prefix ?? "steadfast:ratelimit:"
      }
      // the connection lives in a scope of its own, closed with a bound: `quit()`
      // waits for queued commands, which never come back when Redis is gone
      const inner = yield* Scope.make()
      yield* Effect.addFinalizer(() =>
        Scope.close(inner, Exit.void).pipe(Effect.disconnect, Effect.timeout(CLOSE_TIMEOUT), Effect.ignore)
      )
      const bounded = <A>(effect: Effect.Effect<A, Experimental.RateLimiterError>) =>
        Effect.timeoutFail(effect, {
          duration: timeout,
          onTimeout: () => Experimental.storeError(`Redis did not answer within ${Duration.format(timeout)}`)
        })
      return yield* Scope.extend(makeRedisStore(options, bounded), inner)
    })
  )

/**
 * A limiter whose quota lives in Redis, shared by every process that uses
 * the same Redis, prefix and key.
 *
 * @since 0.1.0
 */
export const layer = (
  options: RateLimit.Options,
  connection?: Connection
): Layer.Layer<RateLimit.RateLimiter, RateLimit.InvalidOptions> =>
  Layer.provide(RateLimit.layerStore(options), layerStore(connection))

/**
 * Reads the Redis connection from `Config`; `None` when `REDIS_URL` is not
 * set:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `REDIS_URL` | `redis://…` (kept `Redacted`: it may hold a password) | none: memory |
 * | `REDIS_PREFIX` | key prefix | `steadfast:ratelimit:` |
 * | `REDIS_TIMEOUT` | longest a command may take | 500 millis |
 *
 * @since 0.1.0
 */
export const config: Config.Config<Option.Option<Connection>> = Config.map(
  Config.all({
    url: Config.option(Config.redacted("REDIS_URL")),
    prefix: Config.option(Config.string("REDIS_PREFIX")),
    timeout: Config.option(Config.duration("REDIS_TIMEOUT"))
  }),
  (c) =>
    Option.map(c.url, (url): Connection => ({
      url,
      prefix: Option.getOrUndefined(c.prefix),
      timeout: Option.getOrUndefined(c.timeout)
    }))
)

/**
 * A limiter chosen by configuration: in memory, or in Redis when
 * `STEADFAST_RATE_LIMIT_REDIS_URL` is set. The limiter's options come from
 * `RateLimit.config` under the same prefix (`STEADFAST_RATE_LIMIT_LIMIT`,
 * `…_WINDOW`, `…_ON_STORE_FAILURE`…), with `overrides` from code on top.
 *
 * @example
 * ```ts
 * import { Client } from "@steadfast/core"
 * import * as RateLimitRedis from "@steadfast/core/RateLimit/Redis"
 * import { Layer } from "effect"
 *
 * // STEADFAST_RATE_LIMIT_LIMIT=100 STEADFAST_RATE_LIMIT_REDIS_URL=redis://redis:6379 node app.js
 * const ClientLive = Client.layer().pipe(Layer.provide(RateLimitRedis.layerConfig()))
 * ```
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options?: {
    readonly prefix?: string | undefined
    readonly overrides?: RateLimit.Options | undefined
  }
): Layer.Layer<RateLimit.RateLimiter, ConfigError.ConfigError | RateLimit.InvalidOptions> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const prefix = options?.prefix ?? "STEADFAST_RATE_LIMIT"
      const limiterOptions = yield* RateLimit.fromConfig({ prefix, overrides: options?.overrides })
      const connection = yield* (prefix === "" ? config : Config.nested(config, prefix))
      return Option.match(connection, {
        onNone: () => RateLimit.layer(limiterOptions),
        onSome: (c) => layer(limiterOptions, c)
      })
    })
  )
