/**
 * The bulkhead (opt-in): at most `maxConcurrent` calls at once per key (the
 * origin by default), at most `maxQueue` more waiting for a slot, in
 * arrival order. A call that finds the queue full, or that waited longer
 * than `maxWait` (or past its deadline), fails with
 * `Errors.BulkheadRejected`: nothing is sent, and it is never retried. One
 * slow origin then cannot take every connection, fiber and socket of a
 * service with it.
 *
 * A slot is held for one attempt — from the moment the policies before it
 * admitted it until its response was read (the body helpers: `json`,
 * `text`, `bytes`) or its response headers arrived (`execute`: the body is
 * read by the caller, after the slot is given back) — and given back on every
 * exit: success, failure, interruption. A retry waits for a slot again;
 * hedged attempts share their attempt's slot. A call interrupted while it
 * waits leaves the queue.
 *
 * The gauges `steadfast_bulkhead_in_flight{key}` and
 * `steadfast_bulkhead_queued{key}` follow each key, and
 * `steadfast_bulkhead_rejected_total{reason}` counts refusals;
 * {@link state} reads the numbers as an Effect.
 *
 * Defaults, and where they come from: 25 calls at once (Resilience4j's
 * `maxConcurrentCalls`), no queue (Polly v8's concurrency limiter,
 * `QueueLimit` 0: a bulkhead that is full fails fast), a queued call waits
 * until its deadline.
 *
 * @example
 * ```ts
 * import { Bulkhead, Client } from "@steadfast/core"
 *
 * // at most 8 calls at once to each origin, 16 more waiting at most 2 seconds
 * const bulkhead = Bulkhead.make({ maxConcurrent: 8, maxQueue: 16, maxWait: "2 seconds" })
 * const ClientLive = Client.layer({ policies: [bulkhead] })
 * const numbers = Bulkhead.state(bulkhead, "https://api.example.com") // Effect<Bulkhead.Snapshot>
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Errors from "./Errors.js"
import { Lanes, type Snapshot as InternalSnapshot } from "./internal/bulkhead.js"
import { policyObject } from "./internal/policyObject.js"
import * as Policy from "./Policy.js"

/**
 * Options of {@link make}; every field documents its default.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Calls at once per key. @default 25 (Resilience4j's maxConcurrentCalls) */
  readonly maxConcurrent?: number | undefined
  /** Calls that may wait for a slot per key; more are refused at once. @default 0 (Polly v8's QueueLimit) */
  readonly maxQueue?: number | undefined
  /** The longest wait in the queue. @default the request's deadline */
  readonly maxWait?: Duration.DurationInput | undefined
  /** One bulkhead per key. @default the request's origin */
  readonly key?: ((url: URL) => string) | undefined
}

/**
 * A bulkhead: a policy for `Client` options' `policies`.
 *
 * @since 0.1.0
 */
export interface Bulkhead extends Policy.Policy {
  readonly name: "bulkhead"
}

/**
 * A bulkhead's numbers for one key.
 *
 * @since 0.1.0
 */
export interface Snapshot extends InternalSnapshot {}

const invalid = (option: string, value: unknown, expected: string) =>
  new Errors.InvalidOptions({ option: `bulkhead.${option}`, value: String(value), expected })

/**
 * Checks options: the first invalid one as an `InvalidOptions`, or `undefined`.
 *
 * @since 0.1.0
 */
export const validate = (options: Options | undefined): Errors.InvalidOptions | undefined => {
  if (options === undefined) return undefined
  const { key, maxConcurrent, maxQueue, maxWait } = options
  if (maxConcurrent !== undefined && !(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
    return invalid("maxConcurrent", maxConcurrent, "a whole number >= 1")
  }
  if (maxQueue !== undefined && !(Number.isInteger(maxQueue) && maxQueue >= 0 || maxQueue === Infinity)) {
    return invalid("maxQueue", maxQueue, "a whole number >= 0, or Infinity")
  }
  if (maxWait !== undefined) {
    const decoded = Duration.decodeUnknown(maxWait)
    if (decoded._tag === "None" || Duration.toMillis(decoded.value) < 0) {
      return invalid("maxWait", maxWait, "a duration >= 0 (Infinity: until the deadline)")
    }
  }
  if (key !== undefined && typeof key !== "function") return invalid("key", key, "a function from a URL to a string")
  return undefined
}

const LanesKey: unique symbol = Symbol.for("@steadfast/core/Bulkhead/lanes")

/**
 * A bulkhead with its own slots (one set per key). Throws the
 * `InvalidOptions` of {@link validate} for invalid options. Give the same
 * bulkhead to several clients to share its slots.
 *
 * @since 0.1.0
 */
export const make = (options?: Options): Bulkhead => {
  const problem = validate(options)
  if (problem !== undefined) throw problem
  const lanes = new Lanes({
    maxConcurrent: options?.maxConcurrent ?? 25,
    maxQueue: options?.maxQueue ?? 0,
    maxWaitMs: options?.maxWait === undefined ? Infinity : Duration.toMillis(Duration.decode(options.maxWait)),
    key: options?.key ?? ((url) => url.origin)
  })
  return policyObject("bulkhead", "bulkhead", { [Policy.GateKey]: lanes.gate, [LanesKey]: lanes })
}

/**
 * The numbers of `bulkhead` for `key` (an origin, `new URL(url).origin`,
 * with the default key): calls in flight and queued, and the limits.
 *
 * @since 0.1.0
 */
export const state = (bulkhead: Bulkhead, key: string): Effect.Effect<Snapshot> =>
  Effect.sync(() => (bulkhead as unknown as { readonly [LanesKey]: Lanes })[LanesKey].snapshot(key))
