/**
 * The circuit breaker (opt-in): when an origin keeps failing, stop sending
 * it requests for a while and fail fast with `CircuitOpen` instead; then let
 * a probe through to see whether it is back.
 *
 * ```
 * closed ──(consecutive failures, or a failure ratio over the window)──> open
 * open ──(the break duration is over: the next request is a probe)──> half-open
 * half-open ──(the probes succeeded)──> closed      ──(a probe failed)──> open, for longer
 * ```
 *
 * One breaker per key (the origin by default). Every attempt counts (a
 * retry too); which outcomes are failures is a predicate ({@link isFailure}
 * by default: connection errors, connect/response/body timeouts, 5xx and
 * 429 — not other 4xx). A request refused by an open breaker fails with
 * `Errors.CircuitOpen`: nothing is sent, and it is never retried. Each state
 * change is a log line (Warning when it opens), a
 * `steadfast_breaker_transitions_total{to}` metric and a `steadfast.breaker`
 * span event; {@link state} reads the current state as an Effect.
 *
 * Defaults, and where they come from: 5 failures in a row (cockatiel's
 * `ConsecutiveBreaker` as its docs use it); or half the attempts failing
 * (Resilience4j's `failureRateThreshold` 50%) over 30 seconds (Polly v8's
 * `SamplingDuration`) once there were 20 of them (a smaller
 * `MinimumThroughput` than Polly's 100: one client of a service sees a
 * fraction of its traffic); a break of 5 seconds (Polly's `BreakDuration`)
 * that doubles each time a probe fails, up to 60 seconds (Resilience4j's
 * `waitDurationInOpenState`); one probe at a time (Polly).
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Breaker, Client } from "@steadfast/core"
 *
 * const breaker = Breaker.make({
 *   consecutiveFailures: 3,
 *   breakDuration: Schedule.exponential("1 second") // 1 s, 2 s, 4 s … while probes fail
 * })
 * const ClientLive = Client.layer({ baseUrl: "https://api.example.com", policies: [breaker] })
 * const report = Breaker.state(breaker, "https://api.example.com") // Effect<Breaker.Snapshot>
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import { either } from "#line/schedule"
import * as Schedule from "effect/Schedule"
import * as Errors from "./Errors.js"
import { Breakers, type Snapshot as InternalSnapshot } from "./internal/breakerGate.js"
import { policyObject } from "./internal/policyObject.js"
import * as Policy from "./Policy.js"

/**
 * Options of {@link make}; every field documents its default.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Opens after this many failures in a row. @default 5 (`Infinity`: never by count) */
  readonly consecutiveFailures?: number | undefined
  /**
   * Opens when this share of the attempts in `window` failed (0 to 1), once
   * there were `minThroughput` of them.
   * @default 0.5 (Resilience4j's failureRateThreshold)
   */
  readonly failureRatio?: number | undefined
  /** The sliding window of the ratio. @default "30 seconds" (Polly's SamplingDuration) */
  readonly window?: Duration.DurationInput | undefined
  /** Attempts the window needs before the ratio counts. @default 20 */
  readonly minThroughput?: number | undefined
  /**
   * How long it stays open before a probe: a duration, or a `Schedule`
   * whose delays grow (its input: how many times it opened in a row).
   * @default 5 s doubling to 60 s (Polly's BreakDuration; Resilience4j's waitDurationInOpenState as the cap)
   */
  readonly breakDuration?: Duration.DurationInput | Schedule.Schedule<unknown, number> | undefined
  /** Probes let through when half-open; that many successes close it. @default 1 (Polly) */
  readonly probes?: number | undefined
  /** Which outcomes count as failures. @default {@link isFailure} */
  readonly isFailure?: ((error: Errors.HttpError) => boolean) | undefined
  /** One breaker per key. @default the request's origin */
  readonly key?: ((url: URL) => string) | undefined
}

/**
 * A circuit breaker: a policy for `Client` options' `policies`.
 *
 * @since 0.1.0
 */
export interface Breaker extends Policy.Policy {
  readonly name: "circuit-breaker"
}

/**
 * A breaker's state for one key.
 *
 * @since 0.1.0
 */
export interface Snapshot extends InternalSnapshot {}

/**
 * The default failure predicate: connection errors, connect, response and
 * body timeouts, and statuses 5xx and 429. Other 4xx are the caller's
 * mistake, not the server's health; a full pool (`PoolTimeout`) is local.
 *
 * @since 0.1.0
 */
export const isFailure = (error: Errors.HttpError): boolean => {
  switch (error._tag) {
    case "DnsError":
    case "ConnectionRefused":
    case "ConnectionReset":
    case "NetworkUnreachable":
    case "TlsError":
    case "ProxyError":
    case "TransportError":
    case "ConnectTimeout":
    case "ResponseTimeout":
    case "BodyTimeout":
      return true
    case "StatusError":
      return error.status >= 500 || error.status === 429
    default:
      return false
  }
}

/** The default break: 5 s, doubling while probes fail, at most 60 s. */
const defaultBreak: Schedule.Schedule<unknown, number> = either(
  Schedule.exponential("5 seconds"),
  Schedule.spaced("60 seconds")
)

const invalid = (option: string, value: unknown, expected: string) =>
  new Errors.InvalidOptions({ option: `breaker.${option}`, value: String(value), expected })

/**
 * Checks options: the first invalid one as an `InvalidOptions`, or `undefined`.
 *
 * @since 0.1.0
 */
export const validate = (options: Options | undefined): Errors.InvalidOptions | undefined => {
  if (options === undefined) return undefined
  const { breakDuration, consecutiveFailures, failureRatio, minThroughput, probes, window } = options
  if (consecutiveFailures !== undefined && !(typeof consecutiveFailures === "number" && consecutiveFailures >= 1)) {
    return invalid("consecutiveFailures", consecutiveFailures, "a number >= 1 (Infinity: never by count)")
  }
  if (failureRatio !== undefined && !(typeof failureRatio === "number" && failureRatio > 0 && failureRatio <= 1)) {
    return invalid("failureRatio", failureRatio, "a number above 0, at most 1")
  }
  if (minThroughput !== undefined && !(Number.isInteger(minThroughput) && minThroughput >= 1)) {
    return invalid("minThroughput", minThroughput, "a whole number >= 1")
  }
  if (probes !== undefined && !(Number.isInteger(probes) && probes >= 1)) {
    return invalid("probes", probes, "a whole number >= 1")
  }
  for (const [name, value] of [["window", window], ["breakDuration", breakDuration]] as const) {
    if (value === undefined || Schedule.isSchedule(value)) continue
    const decoded = Duration.decodeUnknown(value)
    if (decoded._tag === "None" || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) <= 0) {
      return invalid(name, value, "a finite duration above 0" + (name === "breakDuration" ? ", or a Schedule" : ""))
    }
  }
  return undefined
}

const BreakersKey: unique symbol = Symbol.for("@steadfast/core/Breaker/breakers")

/**
 * A circuit breaker with its own state (one per key). Throws the
 * `InvalidOptions` of {@link validate} for invalid options. Give the same
 * breaker to several clients to share its state.
 *
 * @since 0.1.0
 */
export const make = (options?: Options): Breaker => {
  const problem = validate(options)
  if (problem !== undefined) throw problem
  const breakDuration = options?.breakDuration
  const breakers = new Breakers({
    settings: {
      consecutiveFailures: options?.consecutiveFailures ?? 5,
      failureRatio: options?.failureRatio ?? 0.5,
      windowMs: Duration.toMillis(Duration.decode(options?.window ?? "30 seconds")),
      minThroughput: options?.minThroughput ?? 20,
      probes: options?.probes ?? 1
    },
    key: options?.key ?? ((url) => url.origin),
    isFailure: options?.isFailure ?? isFailure,
    breakSchedule: breakDuration === undefined
      ? defaultBreak
      : Schedule.isSchedule(breakDuration)
      ? breakDuration
      : Schedule.spaced(breakDuration)
  })
  return policyObject("circuit-breaker", "breaker", { [Policy.GateKey]: breakers.gate, [BreakersKey]: breakers })
}

/**
 * The state of `breaker` for `key` (an origin, `new URL(url).origin`, with
 * the default key), read on the `Clock`.
 *
 * @since 0.1.0
 */
export const state = (breaker: Breaker, key: string): Effect.Effect<Snapshot> =>
  Effect.flatMap(
    Effect.clockWith((clock) => clock.currentTimeMillis),
    (now) => (breaker as unknown as { readonly [BreakersKey]: Breakers })[BreakersKey].snapshot(key, now)
  )
