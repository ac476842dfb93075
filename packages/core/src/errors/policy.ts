/**
 * Calls a policy stopped before they were sent: a rate limit, an open
 * circuit breaker, a full bulkhead.
 *
 * @since 0.1.0
 */
import * as Schema from "#line/Schema"
import { after, common, millis, TaggedError, target } from "../internal/taggedError.js"

/**
 * Why a rate limiter refused to send: `"quota"` (the client's own quota for
 * the key), `"server"` (the server said to wait: `Retry-After`, or no
 * requests remaining before its window resets) or `"store"` (the shared
 * store, e.g. Redis, did not answer and the limiter fails closed).
 *
 * @since 0.1.0
 */
export const RateLimitReason = Schema.Literal("quota", "server", "store")

/**
 * @since 0.1.0
 */
export type RateLimitReason = Schema.Schema.Type<typeof RateLimitReason>

const rateLimitHints: Record<RateLimitReason, string> = {
  quota:
    "The client's own quota for it is used up: raise `maxWait` to wait for a slot, or the limit if the server allows more.",
  server:
    "The server asked for this pause (Retry-After, or no requests left in its window): try again after it, or raise `maxWait`.",
  store:
    "The shared rate-limit store did not answer and the limiter fails closed: check the store (Redis), or choose `onStoreFailure: \"local\"`."
}

/**
 * A rate limiter refused to send the request: it would have had to wait
 * `waitMs` for `key` (the origin by default), longer than its `maxWait` or
 * past the deadline. Nothing was sent by that attempt; `attempts` counts the
 * ones made before. Not retried by default: the limiter already waited as
 * long as it may.
 *
 * @since 0.1.0
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...common,
  key: Schema.String,
  waitMs: Schema.Number,
  reason: RateLimitReason
}) {
  override get message(): string {
    const what = this.reason === "store"
      ? `not sent, the rate-limit store for ${this.key} is unavailable`
      : `rate limited for ${this.key}, the next slot is in ${millis(this.waitMs)}`
    return `${target(this.request)}: ${what} (${this.attempts === 0 ? "no attempt made" : after(this.attempts)}). ${
      rateLimitHints[this.reason]
    }`
  }
}

/**
 * A circuit breaker is open for `key` (the origin by default): recent
 * attempts failed (`openedBy` names the failure that opened it), so the
 * request failed fast. Nothing was sent; never retried. `state` is `"open"`
 * (the next probe may go in `retryInMs`; `undefined` while the break is
 * being computed) or `"half-open"` (probes are out; their outcome decides).
 *
 * @since 0.1.0
 */
export class CircuitOpen extends TaggedError<CircuitOpen>()("CircuitOpen", {
  ...common,
  key: Schema.String,
  state: Schema.Literal("open", "half-open"),
  retryInMs: Schema.optional(Schema.Number),
  openedBy: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const when = this.state === "half-open"
      ? "probe requests are out, their outcome decides"
      : this.retryInMs === undefined
      ? "the next probe is being scheduled"
      : `the next probe may go in ${millis(this.retryInMs)}`
    return `${target(this.request)}: not sent, the circuit breaker for ${this.key} is ${this.state}` +
      `${this.openedBy === undefined ? "" : ` (opened by ${this.openedBy})`}; ${when} ` +
      `(${this.attempts === 0 ? "no attempt made" : after(this.attempts)}). ` +
      "The server has been failing: handle CircuitOpen with a fallback, or tune the breaker's thresholds."
  }
}

/**
 * A bulkhead refused the request: `inFlight` of its `limit` calls for `key`
 * (the origin by default) were running, and either its queue was full
 * (`reason: "queue-full"`, `queued` of `maxQueue` waiting) or the request
 * waited `waitedMs` in the queue without a free slot (`reason: "wait"`, its
 * `maxWait` or its deadline). Nothing was sent by that attempt; never
 * retried.
 *
 * @since 0.1.0
 */
export class BulkheadRejected extends TaggedError<BulkheadRejected>()("BulkheadRejected", {
  ...common,
  key: Schema.String,
  reason: Schema.Literal("queue-full", "wait"),
  limit: Schema.Number,
  inFlight: Schema.Number,
  maxQueue: Schema.Number,
  queued: Schema.Number,
  waitedMs: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const what = this.reason === "queue-full"
      ? `the bulkhead for ${this.key} is full (${this.inFlight} of ${this.limit} calls in flight, ` +
        `${this.queued} of ${this.maxQueue} queued)`
      : `no free slot in the bulkhead for ${this.key} after waiting ${millis(this.waitedMs ?? 0)} ` +
        `(${this.inFlight} of ${this.limit} calls in flight, ${this.queued} queued)`
    return `${target(this.request)}: not sent, ${what} (${
      this.attempts === 0 ? "no attempt made" : after(this.attempts)
    }). Send fewer requests at once, raise the bulkhead's maxConcurrent or maxQueue, or handle BulkheadRejected ` +
      "with a fallback."
  }
}
