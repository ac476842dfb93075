/**
 * Hedging (opt-in): when an attempt has not answered after a delay, send
 * the same request again while the first keeps running; the first to
 * succeed wins, and the others are cut off — their sockets destroyed, their
 * fibers interrupted before the call returns. It trades a little extra load
 * for a shorter tail: one slow server or connection no longer sets the
 * latency of the call.
 *
 * - Only requests that are safe to send twice are hedged: an idempotent
 *   method (the retry policy's `idempotentMethods`), an `Idempotency-Key`
 *   header, `retry.retryNonIdempotent`, or the policy's own `isSafe` — and
 *   only with a body that can be sent twice. A POST runs as if there were
 *   no hedge policy.
 * - The delay is fixed, or a percentile of the latencies of recent
 *   successful attempts per key (the origin by default), with a fixed
 *   fallback until enough were seen.
 * - Each hedge spends one retry from the retry budget (see `Budget`): when
 *   the budget refuses, no hedge starts.
 * - Hedged attempts are in the call's history (`hedged: true`); an attempt
 *   cut off because another won has `tag: "Interrupted"`, `reason:
 *   "hedge-lost"`; one that failed while another was still running has
 *   `reason: "hedge-wait"` (the client waited for the other). When every
 *   attempt failed, the last failure goes on to the retry decision as
 *   usual.
 * - To the policies before it (breaker, bulkhead), an attempt and its
 *   hedges are one attempt; `beforeAttempt` runs for each of them,
 *   `afterAttempt` hears the one that ends the group.
 * - `steadfast_hedges_total{outcome}` counts hedges (`won`, `lost`,
 *   `failed`, `refused`), and a `steadfast.hedge` span event marks each
 *   start.
 *
 * Defaults, and where they come from: a delay of 2 seconds and one hedge
 * (Polly v8's hedging strategy: `Delay` 2 s, `MaxHedgedAttempts` 1). With a
 * percentile: 20 samples before it counts, the last 100 kept, at least 1 ms.
 *
 * @example
 * ```ts
 * import { Client, Hedge } from "@steadfast/core"
 *
 * // a second attempt when the first has not answered within the p95 of recent latencies
 * const hedge = Hedge.make({ delay: { percentile: 0.95, fallback: "200 millis" }, maxHedges: 1 })
 * const ClientLive = Client.layer({ policies: [hedge] })
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "#line/Duration"
import type { HttpClientRequest } from "#line/http"
import * as Errors from "./Errors.js"
import { type Delay, Hedger } from "./internal/hedge.js"
import { policyObject } from "./internal/policyObject.js"
import * as Policy from "./Policy.js"

/**
 * A delay taken from the latencies of recent successful attempts.
 *
 * @since 0.1.0
 */
export interface PercentileDelay {
  /** Which percentile, from 0 to 1 (0.95: the p95). */
  readonly percentile: number
  /** The delay until `minSamples` latencies were seen. @default "2 seconds" */
  readonly fallback?: Duration.DurationInput | undefined
  /** Never hedge sooner than this. @default "1 millis" */
  readonly min?: Duration.DurationInput | undefined
  /** Latencies needed before the percentile counts. @default 20 */
  readonly minSamples?: number | undefined
  /** Latencies kept per key (the most recent). @default 100 */
  readonly samples?: number | undefined
}

/**
 * Options of {@link make}; every field documents its default.
 *
 * @since 0.1.0
 */
export interface Options {
  /** How long an attempt may run before a hedge starts. @default "2 seconds" (Polly v8) */
  readonly delay?: Duration.DurationInput | PercentileDelay | undefined
  /** Hedges per attempt, at most. @default 1 (Polly v8's MaxHedgedAttempts) */
  readonly maxHedges?: number | undefined
  /**
   * Whether a request may be hedged (sent twice).
   * @default an idempotent method, an Idempotency-Key header, or `retry.retryNonIdempotent`
   */
  readonly isSafe?: ((request: HttpClientRequest.HttpClientRequest) => boolean) | undefined
  /** Whose latencies a percentile delay reads. @default the request's origin */
  readonly key?: ((url: URL) => string) | undefined
}

/**
 * A hedging policy: a policy for `Client` options' `policies`.
 *
 * @since 0.1.0
 */
export interface Hedge extends Policy.Policy {
  readonly name: "hedging"
}

const invalid = (option: string, value: unknown, expected: string) =>
  new Errors.InvalidOptions({ option: `hedge.${option}`, value: String(value), expected })

const isPercentile = (delay: Options["delay"]): delay is PercentileDelay =>
  typeof delay === "object" && delay !== null && "percentile" in delay

const finiteMillis = (value: unknown): number | undefined => {
  const decoded = Duration.decodeUnknown(value)
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value)) return undefined
  const ms = Duration.toMillis(decoded.value)
  return ms >= 0 ? ms : undefined
}

/**
 * Checks options: the first invalid one as an `InvalidOptions`, or `undefined`.
 *
 * @since 0.1.0
 */
export const validate = (options: Options | undefined): Errors.InvalidOptions | undefined => {
  if (options === undefined) return undefined
  const { delay, maxHedges } = options
  if (maxHedges !== undefined && !(Number.isInteger(maxHedges) && maxHedges >= 0)) {
    return invalid("maxHedges", maxHedges, "a whole number >= 0")
  }
  if (isPercentile(delay)) {
    const { fallback, min, minSamples, percentile, samples } = delay
    if (!(typeof percentile === "number" && percentile > 0 && percentile <= 1)) {
      return invalid("delay.percentile", percentile, "a number above 0, at most 1")
    }
    for (const [name, value] of [["fallback", fallback], ["min", min]] as const) {
      if (value !== undefined && finiteMillis(value) === undefined) {
        return invalid(`delay.${name}`, value, "a finite duration >= 0")
      }
    }
    if (samples !== undefined && !(Number.isInteger(samples) && samples >= 1)) {
      return invalid("delay.samples", samples, "a whole number >= 1")
    }
    if (minSamples !== undefined && !(Number.isInteger(minSamples) && minSamples >= 1)) {
      return invalid("delay.minSamples", minSamples, "a whole number >= 1")
    }
  } else if (delay !== undefined && finiteMillis(delay) === undefined) {
    return invalid("delay", delay, "a finite duration >= 0, or { percentile }")
  }
  return undefined
}

const delayOf = (delay: Options["delay"]): Delay => {
  if (!isPercentile(delay)) return { _tag: "Fixed", ms: finiteMillis(delay ?? "2 seconds")! }
  const samples = delay.samples ?? 100
  return {
    _tag: "Percentile",
    percentile: delay.percentile,
    fallbackMs: finiteMillis(delay.fallback ?? "2 seconds")!,
    minMs: finiteMillis(delay.min ?? "1 millis")!,
    minSamples: Math.min(delay.minSamples ?? 20, samples),
    samples
  }
}

/**
 * A hedging policy with its own latency record. Throws the
 * `InvalidOptions` of {@link validate} for invalid options.
 *
 * @since 0.1.0
 */
export const make = (options?: Options): Hedge => {
  const problem = validate(options)
  if (problem !== undefined) throw problem
  const hedger = new Hedger({
    delay: delayOf(options?.delay),
    maxHedges: options?.maxHedges ?? 1,
    isSafe: options?.isSafe,
    key: options?.key ?? ((url) => url.origin)
  })
  return policyObject("hedging", "hedging", { [Policy.HedgeKey]: hedger })
}
