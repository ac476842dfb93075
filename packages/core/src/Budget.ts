/**
 * The retry budget: retries limited to a share of recent requests, plus a
 * small floor, per origin — so that an origin that fails every request gets
 * about 1.2 requests per request instead of 4 (one try and three retries).
 *
 * Every client has one, on by default: its own, unless a
 * {@link RetryBudget} is in the context (then all clients built there share
 * it), or the retry policy names one (`Retry.policy({ budget })`, or
 * `Retry.unlimited` to turn it off). A retry the budget refuses ends the
 * request with its last error, marked `retryRefused: "budget"` (and its last
 * history record reason `"budget"`), and is counted in
 * `Metrics.retriesRefused`.
 *
 * Defaults, and where they come from:
 * - `ratio: 0.2` — Finagle's `RetryBudget` (`percentCanRetry = 0.2`) and
 *   Envoy's retry budget (`budget_percent` 20%) both allow retries for a
 *   fifth of the traffic: at most 20% extra load on a struggling origin.
 * - `minPerSecond: 10` — Finagle's `minRetriesPerSec = 10`: a client that
 *   sends few requests can still retry a few (Envoy keeps a floor of 3
 *   concurrent retries for the same reason). Here it is a bucket of 10 that
 *   refills at 10 per second, so over T seconds it adds at most 10 × (T + 1).
 * - `window: "10 seconds"` — Finagle's `ttl`: what counts as "recent".
 * gRPC's retry throttling (`maxTokens`, `tokenRatio`) reaches the same place
 * with tokens that failures spend and successes earn; a ratio of requests
 * needs no failure bookkeeping on the happy path: a request is one addition.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Budget, Client, Retry } from "@steadfast/core"
 *
 * // one budget for every client built with this layer (say, all clients of one service)
 * const shared = Budget.layer({ ratio: 0.1, minPerSecond: 5 })
 * const clients = Client.layer({ baseUrl: "https://api.example.com" }).pipe(Layer.provide(shared))
 *
 * // or a budget of its own for one policy, or none at all
 * const strict = Retry.policy({ budget: Budget.make({ ratio: 0.05 }) })
 * const unbounded = Retry.policy({ budget: Retry.unlimited })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "#line/Context"
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Layer from "#line/Layer"
import * as Errors from "./Errors.js"
import { Accounts, UNIT } from "./internal/budget.js"
import type * as Retry from "./Retry.js"

/**
 * Options of {@link make}; every field documents its default and its source.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * Retries allowed per recent request (0 to 1).
   * @default 0.2 (Finagle's percentCanRetry, Envoy's budget_percent)
   */
  readonly ratio?: number | undefined
  /**
   * Retries allowed per second whatever the traffic (the floor).
   * @default 10 (Finagle's minRetriesPerSec)
   */
  readonly minPerSecond?: number | undefined
  /**
   * How far back requests count as recent.
   * @default "10 seconds" (Finagle's ttl)
   */
  readonly window?: Duration.DurationInput | undefined
}

/**
 * A retry budget as the client uses it (a `Retry.Budget`), plus how many
 * retries it would allow now.
 *
 * @since 0.1.0
 */
export interface RetryBudget extends Retry.Budget {
  /** The settings it was built with. */
  readonly options: { readonly ratio: number; readonly minPerSecond: number; readonly window: Duration.Duration }
  /** Retries it would allow for `key` at `now` (ms on the client's clock). */
  readonly available: (key: string, now: number) => number
}

/**
 * The defaults: `{ ratio: 0.2, minPerSecond: 10, window: "10 seconds" }`
 * (see the module description for their sources).
 *
 * @since 0.1.0
 */
export const defaults = { ratio: 0.2, minPerSecond: 10, window: Duration.seconds(10) } as const

/**
 * Checks options: the first invalid one as an `InvalidOptions`, or
 * `undefined`.
 *
 * @since 0.1.0
 */
export const validate = (options: Options | undefined): Errors.InvalidOptions | undefined => {
  if (options === undefined) return undefined
  const { ratio, minPerSecond, window } = options
  if (ratio !== undefined && !(typeof ratio === "number" && ratio >= 0 && ratio <= 1)) {
    return new Errors.InvalidOptions({ option: "budget.ratio", value: String(ratio), expected: "a number from 0 to 1" })
  }
  if (
    minPerSecond !== undefined &&
    !(typeof minPerSecond === "number" && Number.isFinite(minPerSecond) && minPerSecond >= 0)
  ) {
    return new Errors.InvalidOptions({
      option: "budget.minPerSecond",
      value: String(minPerSecond),
      expected: "a finite number >= 0"
    })
  }
  if (window !== undefined) {
    const decoded = Duration.decodeUnknown(window)
    if (decoded._tag === "None" || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) < 10) {
      return new Errors.InvalidOptions({
        option: "budget.window",
        value: String(window),
        expected: "a finite duration of at least 10 millis"
      })
    }
  }
  return undefined
}

/**
 * A new budget, with its own counters (one account per key: the origin of
 * each request). Throws the `InvalidOptions` of {@link validate} for
 * invalid options.
 *
 * @example
 * ```ts
 * import { Budget } from "@steadfast/core"
 *
 * const budget = Budget.make({ ratio: 0.1 })
 * for (let i = 0; i < 20; i++) budget.request("https://api.example.com", 0) // 20 requests at t = 0
 * budget.available("https://api.example.com", 0) // 12: the floor's 10, plus 0.1 per request
 * ```
 *
 * @since 0.1.0
 */
export const make = (options?: Options): RetryBudget => {
  const invalid = validate(options)
  if (invalid !== undefined) throw invalid
  const ratio = options?.ratio ?? defaults.ratio
  const minPerSecond = options?.minPerSecond ?? defaults.minPerSecond
  const window = options?.window === undefined ? defaults.window : Duration.decode(options.window)
  const accounts = new Accounts({
    ratioUnits: Math.round(ratio * UNIT),
    minPerSecond,
    windowMs: Duration.toMillis(window)
  })
  return {
    options: { ratio, minPerSecond, window },
    request: (key, now) => accounts.get(key, now).deposit(now),
    withdraw: (key, now) => accounts.get(key, now).withdraw(now),
    available: (key, now) => accounts.get(key, now).available(now)
  }
}

/**
 * The budget shared by every client built where it is in the context (a
 * retry policy that names its own budget keeps it).
 *
 * @since 0.1.0
 */
export class SharedBudget extends Context.Tag("@steadfast/core/Budget/SharedBudget")<SharedBudget, RetryBudget>() {}

/**
 * A layer with one {@link SharedBudget} for all the clients built with it.
 * Invalid options fail the layer with `InvalidOptions`.
 *
 * @since 0.1.0
 */
export const layer = (options?: Options): Layer.Layer<SharedBudget, Errors.InvalidOptions> =>
  Layer.effect(
    SharedBudget,
    Effect.suspend(() => {
      const invalid = validate(options)
      return invalid === undefined ? Effect.sync(() => make(options)) : Effect.fail(invalid)
    })
  )

/**
 * Retries the budget would allow now for requests to `origin` (as
 * `new URL(url).origin`), read on the `Clock`.
 *
 * @example
 * ```ts
 * import { Budget } from "@steadfast/core"
 *
 * const budget = Budget.make()
 * const left = Budget.available(budget, "https://api.example.com") // Effect<number>: 10 (the floor) at first
 * ```
 *
 * @since 0.1.0
 */
export const available = (budget: RetryBudget, origin: string): Effect.Effect<number> =>
  Effect.map(Effect.clockWith((clock) => clock.currentTimeMillis), (now) => budget.available(origin, now))
