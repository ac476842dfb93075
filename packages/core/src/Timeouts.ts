/**
 * The five time limits every request has by default.
 *
 * - `pool`: waiting for a free connection of a full pool (`PoolTimeout`).
 * - `connect`: opening a connection: DNS, TCP and TLS (`ConnectTimeout`).
 *   `pool` and `connect` are enforced for transports that report those
 *   phases (node, testkit); for others `response` covers them.
 * - `response`: from the request going out to the response headers.
 * - `bodyIdle`: the longest pause between two chunks of the body.
 * - `deadline`: the whole call, over all attempts, redirects and backoff
 *   waits.
 *
 * All run on Effect's `Clock`, so they are exact under `TestClock`, and work by
 * interruption: the attempt is cut off and the transport's abort signal fires.
 * Any of them can be turned off with {@link off}.
 *
 * @example
 * ```ts
 * import { Timeouts } from "@steadfast/core"
 *
 * const slowReports = Timeouts.make({ response: "2 minutes", deadline: "5 minutes" })
 * const noDeadline = Timeouts.make({ deadline: Timeouts.off })
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "#line/Config"
import * as ConfigError from "#line/ConfigError"
import * as Duration from "#line/Duration"
import * as Either from "#line/Either"
import * as Option from "effect/Option"

/**
 * Resolved time limits.
 *
 * @since 0.1.0
 */
export interface Timeouts {
  readonly pool: Duration.Duration
  readonly connect: Duration.Duration
  readonly response: Duration.Duration
  readonly bodyIdle: Duration.Duration
  readonly deadline: Duration.Duration
}

/**
 * Time limits as users give them; missing ones keep their defaults.
 *
 * @since 0.1.0
 */
export interface Input {
  /**
   * How long a request may wait for a free connection when every connection
   * of the pool to its origin is busy.
   *
   * @default "30 seconds" — as long as `response`: a caller prepared to wait
   * that long for an answer may wait that long for a connection. A healthy
   * but saturated client drains its queue at connections ÷ latency (64
   * connections at 100 ms: 640 requests/s, so a burst of 5,000 waits up to
   * 8 s), which a shorter limit would turn into failures; a wait longer than
   * this means the pool is far too small for the load, and `PoolTimeout`
   * says so.
   */
  readonly pool?: Duration.DurationInput | undefined
  /**
   * @default "5 seconds" (undici's own default is 10 s; 5 s is ample on a
   * working network and halves the wait on a black-holed address)
   */
  readonly connect?: Duration.DurationInput | undefined
  /**
   * @default "30 seconds" (undici waits 300 s for headers, far longer than
   * most callers would)
   */
  readonly response?: Duration.DurationInput | undefined
  /** @default "30 seconds" */
  readonly bodyIdle?: Duration.DurationInput | undefined
  /** @default "2 minutes" */
  readonly deadline?: Duration.DurationInput | undefined
}

/**
 * Turns a limit off.
 *
 * @since 0.1.0
 */
export const off: Duration.Duration = Duration.infinity

/**
 * The defaults: pool 30 s, connect 5 s, response 30 s, body idle 30 s,
 * deadline 2 min.
 *
 * @since 0.1.0
 */
export const defaults: Timeouts = {
  pool: Duration.seconds(30),
  connect: Duration.seconds(5),
  response: Duration.seconds(30),
  bodyIdle: Duration.seconds(30),
  deadline: Duration.minutes(2)
}

/**
 * Resolves user input over a base (the defaults unless given).
 *
 * @since 0.1.0
 */
export const make = (input?: Input, base: Timeouts = defaults): Timeouts => ({
  pool: input?.pool === undefined ? base.pool : Duration.decode(input.pool),
  connect: input?.connect === undefined ? base.connect : Duration.decode(input.connect),
  response: input?.response === undefined ? base.response : Duration.decode(input.response),
  bodyIdle: input?.bodyIdle === undefined ? base.bodyIdle : Duration.decode(input.bodyIdle),
  deadline: input?.deadline === undefined ? base.deadline : Duration.decode(input.deadline)
})

/**
 * Milliseconds of a limit; `Infinity` when off.
 *
 * @since 0.1.0
 */
export const toMillis = (d: Duration.Duration): number => Duration.toMillis(d)

/** @internal */
export const limitConfig = (name: string): Config.Config<Duration.Duration> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) => {
      if (text.trim().toLowerCase() === "off") return Either.right(off)
      const decoded = Duration.decodeUnknown(text.trim())
      return Option.isSome(decoded)
        ? Either.right(decoded.value)
        : Either.left(
          ConfigError.InvalidData([], `Expected a duration such as "5 seconds", or "off", but got "${text}"`)
        )
    })
  )

const limit = (name: string) => Config.option(limitConfig(name))

/**
 * Reads the limits from configuration (environment variables by default):
 * `POOL`, `CONNECT`, `RESPONSE`, `BODY_IDLE`, `DEADLINE`, each a duration such as
 * `"5 seconds"` or `"off"`. Nest it to add a prefix
 * (`Config.nested(Timeouts.config, "STEADFAST_TIMEOUT")` reads
 * `STEADFAST_TIMEOUT_CONNECT`).
 *
 * @since 0.1.0
 */
export const config: Config.Config<Timeouts> = Config.map(
  Config.all({
    pool: limit("POOL"),
    connect: limit("CONNECT"),
    response: limit("RESPONSE"),
    bodyIdle: limit("BODY_IDLE"),
    deadline: limit("DEADLINE")
  }),
  (o) =>
    make({
      pool: o.pool._tag === "Some" ? o.pool.value : undefined,
      connect: o.connect._tag === "Some" ? o.connect.value : undefined,
      response: o.response._tag === "Some" ? o.response.value : undefined,
      bodyIdle: o.bodyIdle._tag === "Some" ? o.bodyIdle.value : undefined,
      deadline: o.deadline._tag === "Some" ? o.deadline.value : undefined
    })
)
