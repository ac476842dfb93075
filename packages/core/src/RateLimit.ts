/**
 * Client-side rate limits: pace requests to a quota, per key (the origin by
 * default), and heed what servers say about theirs.
 *
 * A `RateLimiter` in the context of `Client.layer` gates every attempt, in
 * the order DESIGN.md gives for policies around one attempt (rate limit →
 * budget → breaker → bulkhead → hedging → attempt):
 *
 * 1. **The client's own quota** — `limit` requests per `window`, kept by
 *    `@effect/experimental`'s `RateLimiter` over a store: in memory (this
 *    process) with {@link layer}, or in Redis, shared by every replica, with
 *    `@steadfast/core/RateLimit/Redis`.
 * 2. **The server's word** — `Retry-After` on a 429 or 503, and the
 *    `RateLimit` / `RateLimit-Policy` (IETF httpapi draft),
 *    `RateLimit-Remaining` / `-Reset` and `X-RateLimit-*` headers of every
 *    response (see `RateLimitHeaders`). When the server says none remain,
 *    later requests wait for its reset instead of being sent. What a process
 *    learns stays in that process.
 *
 * An attempt that would have to wait longer than `maxWait`, or past the
 * request's deadline, fails at once with `Errors.RateLimited` (never sent,
 * not retried by default).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Client, RateLimit } from "@steadfast/core"
 *
 * // 10 requests per second per origin, evenly paced; wait at most 5 s for a slot
 * const ClientLive = Client.layer().pipe(
 *   Layer.provide(RateLimit.layer({ limit: 10, window: "1 second", maxWait: "5 seconds" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "#line/Config"
import type * as ConfigError from "#line/ConfigError"
import * as Context from "#line/Context"
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Layer from "#line/Layer"
import * as Experimental from "#line/RateLimiter"
import * as Data from "effect/Data"
import * as internal from "./internal/rateLimit.js"

/**
 * What a key is made from: the attempt's method and url.
 *
 * @since 0.1.0
 */
export interface KeyInput {
  readonly method: string
  readonly url: URL
}

/**
 * Options of a limiter. Every field documents its default.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * Requests allowed per `window`, per key. Without it the limiter keeps no
   * quota of its own and only heeds what servers say.
   * @default none
   */
  readonly limit?: number | undefined
  /** The window of `limit`. @default "1 second" */
  readonly window?: Duration.DurationInput | undefined
  /**
   * `"token-bucket"`: a steady pace of `limit` per `window`, with up to
   * `burst` requests back to back; in any span of one window at most
   * `limit + burst` start. `"fixed-window"`: `limit` requests per window,
   * the window starting with its first request (they may all start at once).
   * @default "token-bucket"
   */
  readonly algorithm?: "token-bucket" | "fixed-window" | undefined
  /**
   * Token bucket only: how many requests may start back to back before the
   * pace applies. 1 spaces requests evenly (`window / limit` apart).
   * @default 1
   */
  readonly burst?: number | undefined
  /**
   * The longest an attempt waits for a slot (the quota, then the server's
   * word); a longer wait fails at once with `RateLimited`. `0` never waits.
   * The request's deadline bounds it too. The same 60 s as `Retry-After`'s
   * longest wait (`Retry.Options.retryAfterMax`).
   * @default "60 seconds"
   */
  readonly maxWait?: Duration.DurationInput | undefined
  /**
   * The key an attempt counts against, or `undefined` to leave it
   * unlimited. Keys appear in errors and in the store (Redis): hash secrets
   * such as API tokens before using them as keys.
   * @default the url's origin (`https://api.example.com`)
   */
  readonly key?: ((request: KeyInput) => string | undefined) | undefined
  /** Heed the server's rate-limit headers and `Retry-After`. @default true */
  readonly learn?: boolean | undefined
  /**
   * What a failing store (Redis down or too slow) does to requests:
   * `"local"` fails open to an in-process limiter with the same options
   * (each replica then allows the whole quota), `"fail"` fails closed with
   * `RateLimited` (`reason: "store"`). The store is asked again one second
   * after a failure; it reconnects by itself.
   * @default "local"
   */
  readonly onStoreFailure?: "local" | "fail" | undefined
}

/**
 * Options with their defaults applied.
 *
 * @since 0.1.0
 */
export interface Resolved {
  readonly limit: number | undefined
  readonly windowMs: number
  readonly algorithm: "token-bucket" | "fixed-window"
  readonly burst: number
  readonly maxWaitMs: number
  readonly key: (request: KeyInput) => string | undefined
  readonly learn: boolean
  readonly onStoreFailure: "local" | "fail"
}

/**
 * Why an attempt was not allowed: the key, how long it would have had to
 * wait, and whose limit it was (see `Errors.RateLimitReason`). The client
 * turns it into `Errors.RateLimited`.
 *
 * @since 0.1.0
 */
export interface Refusal {
  readonly key: string
  readonly waitMs: number
  readonly reason: "quota" | "server" | "store"
}

/**
 * A limiter. The client calls `acquire` before each attempt and `observe`
 * with each response's headers; other code can call them too.
 *
 * @since 0.1.0
 */
export interface Limiter {
  readonly options: Resolved
  /**
   * Waits until an attempt to `url` may start, or fails with a `Refusal`
   * when that would take longer than `maxWait` or end at or past
   * `deadlineAt` (ms on Effect's `Clock`; `Infinity` for none).
   */
  readonly acquire: (method: string, url: URL, deadlineAt: number) => Effect.Effect<void, Refusal>
  /** Learns from a response (status and lower-case headers) received at `nowMs`. */
  readonly observe: (
    method: string,
    url: URL,
    status: number,
    headers: Readonly<Record<string, string | undefined>>,
    nowMs: number
  ) => void
}

/**
 * The service tag of the limiter the client uses (when one is in the context).
 *
 * @since 0.1.0
 */
export class RateLimiter extends Context.Tag("@steadfast/core/RateLimit")<RateLimiter, Limiter>() {}

/**
 * Options that cannot work (a non-positive limit, a burst below 1…).
 *
 * @since 0.1.0
 */
export class InvalidOptions extends Data.TaggedError("RateLimitInvalidOptions")<{ readonly reason: string }> {
  override get message(): string {
    return `RateLimit: ${this.reason}`
  }
}

/**
 * The default key: the url's origin.
 *
 * @since 0.1.0
 */
export const byOrigin = (request: KeyInput): string => request.url.origin

/**
 * Applies the defaults and checks the options.
 *
 * @since 0.1.0
 */
export const resolve = (options: Options = {}): Either.Either<Resolved, InvalidOptions> => {
  const invalid = (reason: string) => Either.left(new InvalidOptions({ reason }))
  const { limit } = options
  if (limit !== undefined && !(Number.isFinite(limit) && limit > 0)) {
    return invalid(`limit must be a positive number (got ${limit})`)
  }
  const window = Duration.decodeUnknown(options.window ?? "1 second")
  if (window._tag === "None" || !Duration.isFinite(window.value) || Duration.toMillis(window.value) <= 0) {
    return invalid(`window must be a finite, positive duration (got ${String(options.window)})`)
  }
  const burst = options.burst ?? 1
  if (!(Number.isInteger(burst) && burst >= 1)) return invalid(`burst must be an integer >= 1 (got ${burst})`)
  const maxWait = Duration.decodeUnknown(options.maxWait ?? "60 seconds")
  if (maxWait._tag === "None") return invalid(`maxWait must be a duration (got ${String(options.maxWait)})`)
  const algorithm = options.algorithm ?? "token-bucket"
  if (algorithm !== "token-bucket" && algorithm !== "fixed-window") {
    return invalid(`algorithm must be "token-bucket" or "fixed-window" (got ${String(algorithm)})`)
  }
  const onStoreFailure = options.onStoreFailure ?? "local"
  if (onStoreFailure !== "local" && onStoreFailure !== "fail") {
    return invalid(`onStoreFailure must be "local" or "fail" (got ${String(onStoreFailure)})`)
  }
  return Either.right({
    limit,
    windowMs: Duration.toMillis(window.value),
    algorithm,
    burst,
    maxWaitMs: Duration.toMillis(maxWait.value),
    key: options.key ?? byOrigin,
    learn: options.learn ?? true,
    onStoreFailure
  })
}

/**
 * Builds a limiter over the `RateLimiterStore` (from
 * `@effect/experimental/RateLimiter`) in the context.
 *
 * @since 0.1.0
 */
export const make = (options?: Options): Effect.Effect<Limiter, InvalidOptions, Experimental.RateLimiterStore> =>
  Effect.flatMap(Either.toEffect(resolve(options)), internal.make)

/**
 * A limiter over any `RateLimiterStore` in the context (Redis, your own).
 *
 * @since 0.1.0
 */
export const layerStore = (
  options?: Options
): Layer.Layer<RateLimiter, InvalidOptions, Experimental.RateLimiterStore> => Layer.effect(RateLimiter, make(options))

/**
 * A limiter whose quota lives in this process's memory: the default, for one
 * process. Under `TestClock` its pacing is exact.
 *
 * @since 0.1.0
 */
export const layer = (options?: Options): Layer.Layer<RateLimiter, InvalidOptions> =>
  Layer.provide(layerStore(options), Experimental.layerStoreMemory)

/**
 * Reads limiter options from `Config`:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `LIMIT` | requests per window per key | none (only the server's word) |
 * | `WINDOW` | the window | 1 second |
 * | `ALGORITHM` | `token-bucket` or `fixed-window` | token-bucket |
 * | `BURST` | token bucket: requests back to back | 1 |
 * | `MAX_WAIT` | longest wait for a slot | 60 seconds |
 * | `LEARN` | heed the server's headers | true |
 * | `ON_STORE_FAILURE` | `local` or `fail` | local |
 *
 * `layerConfig` reads them under `STEADFAST_RATE_LIMIT_` (`STEADFAST_RATE_LIMIT_LIMIT`…).
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.map(
  Config.all({
    limit: Config.option(Config.number("LIMIT")),
    window: Config.option(Config.duration("WINDOW")),
    algorithm: Config.option(Config.literal("token-bucket", "fixed-window")("ALGORITHM")),
    burst: Config.option(Config.integer("BURST")),
    maxWait: Config.option(Config.duration("MAX_WAIT")),
    learn: Config.option(Config.boolean("LEARN")),
    onStoreFailure: Config.option(Config.literal("local", "fail")("ON_STORE_FAILURE"))
  }),
  (c): Options => ({
    limit: c.limit._tag === "Some" ? c.limit.value : undefined,
    window: c.window._tag === "Some" ? c.window.value : undefined,
    algorithm: c.algorithm._tag === "Some" ? c.algorithm.value : undefined,
    burst: c.burst._tag === "Some" ? c.burst.value : undefined,
    maxWait: c.maxWait._tag === "Some" ? c.maxWait.value : undefined,
    learn: c.learn._tag === "Some" ? c.learn.value : undefined,
    onStoreFailure: c.onStoreFailure._tag === "Some" ? c.onStoreFailure.value : undefined
  })
)

/**
 * The config of {@link config} under `prefix` (`STEADFAST_RATE_LIMIT` unless
 * given; `""` for none), with `overrides` from code on top.
 *
 * @since 0.1.0
 */
export const fromConfig = (
  options?: { readonly prefix?: string | undefined; readonly overrides?: Options | undefined }
): Config.Config<Options> => {
  const prefix = options?.prefix ?? "STEADFAST_RATE_LIMIT"
  const base = prefix === "" ? config : Config.nested(config, prefix)
  return Config.map(base, (c) => merge(c, options?.overrides))
}

const merge = (base: Options, overrides: Options | undefined): Options => {
  if (overrides === undefined) return base
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) out[k] = v
  return out as Options
}

/**
 * An in-memory limiter whose options come from `Config` (see {@link config}).
 * For a Redis store chosen by configuration, use
 * `layerConfig` of `@steadfast/core/RateLimit/Redis`.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options?: { readonly prefix?: string | undefined; readonly overrides?: Options | undefined }
): Layer.Layer<RateLimiter, ConfigError.ConfigError | InvalidOptions> =>
  Layer.unwrapEffect(Effect.map(fromConfig(options), layer))
