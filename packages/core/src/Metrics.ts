/**
 * The metrics every client records (turn them off with `metrics: false`).
 *
 * - `steadfast_requests_total`: requests started.
 * - `steadfast_retries_total{error}`: retries, by the `_tag` that caused them.
 * - `steadfast_resends_total{reason}`: attempts sent again at once, by why
 *   (`stale-socket`: a keep-alive connection the server had closed;
 *   `proxy-fallback`: a proxy that could not be reached; `refused-stream`:
 *   an HTTP/2 stream the server refused before processing it).
 * - `steadfast_retries_refused_total{reason}`: retries the policy allowed
 *   but the retry budget refused (`reason="budget"`).
 * - `steadfast_breaker_transitions_total{to}`: circuit breaker state changes.
 * - `steadfast_breaker_state{key}`: each breaker's state (0 closed, 1
 *   half-open, 2 open).
 * - `steadfast_bulkhead_in_flight{key}`, `steadfast_bulkhead_queued{key}`:
 *   calls running in, and waiting for, each bulkhead.
 * - `steadfast_bulkhead_rejected_total{reason}`: calls a bulkhead refused.
 * - `steadfast_hedges_total{outcome}`: hedged attempts started.
 * - `steadfast_errors_total{error}`: requests that failed, by final `_tag`.
 * - `steadfast_request_duration_ms`: time from start to the response (or
 *   the failure), retries and waits included.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "@steadfast/core"
 *
 * const report = Effect.map(Metric.value(Metrics.requests), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 */
import * as Metric from "#line/Metric"
import * as MetricBoundaries from "#line/MetricBoundaries"

/**
 * Requests started.
 *
 * @since 0.1.0
 */
export const requests = Metric.counter("steadfast_requests_total", {
  description: "HTTP requests started by steadfast clients",
  incremental: true
})

/**
 * Retries, tagged `error` with the `_tag` of the failure that caused them.
 *
 * @since 0.1.0
 */
export const retries = Metric.counter("steadfast_retries_total", {
  description: "Retries made by steadfast clients",
  incremental: true
})

/**
 * Attempts sent again at once, whatever the retry policy says, tagged
 * `reason`: `stale-socket` (a reused keep-alive connection the server had
 * closed), `proxy-fallback` (a proxy that could not be reached, with
 * `fallbackToDirect`) or `refused-stream` (an HTTP/2 stream the server
 * refused before processing it).
 *
 * @since 0.1.0
 */
export const resends = Metric.counter("steadfast_resends_total", {
  description: "Attempts steadfast clients sent again at once (stale connection, proxy fallback)",
  incremental: true
})

/**
 * Retries the retry policy allowed but a limit refused, tagged `reason`:
 * `budget` (the retry budget was spent; see the `Budget` module).
 *
 * @since 0.1.0
 */
export const retriesRefused = Metric.counter("steadfast_retries_refused_total", {
  description: "Retries of steadfast clients refused by the retry budget",
  incremental: true
})

/**
 * Circuit breaker state changes, tagged `to`: `open`, `half-open`, `closed`.
 *
 * @since 0.1.0
 */
export const breakerTransitions = Metric.counter("steadfast_breaker_transitions_total", {
  description: "State changes of steadfast circuit breakers",
  incremental: true
})

/**
 * The state of each circuit breaker, tagged `key`: 0 closed, 1 half-open,
 * 2 open (set at each state change).
 *
 * @since 0.1.0
 */
export const breakerState = Metric.gauge("steadfast_breaker_state", {
  description: "State of steadfast circuit breakers: 0 closed, 1 half-open, 2 open"
})

/**
 * Calls running inside each bulkhead, tagged `key`.
 *
 * @since 0.1.0
 */
export const bulkheadInFlight = Metric.gauge("steadfast_bulkhead_in_flight", {
  description: "Calls of steadfast clients running inside a bulkhead"
})

/**
 * Calls waiting in each bulkhead's queue, tagged `key`.
 *
 * @since 0.1.0
 */
export const bulkheadQueued = Metric.gauge("steadfast_bulkhead_queued", {
  description: "Calls of steadfast clients waiting in a bulkhead's queue"
})

/**
 * Calls a bulkhead refused, tagged `reason`: `queue-full` or `wait`.
 *
 * @since 0.1.0
 */
export const bulkheadRejected = Metric.counter("steadfast_bulkhead_rejected_total", {
  description: "Calls of steadfast clients refused by a bulkhead",
  incremental: true
})

/**
 * Hedged attempts started (see the `Hedge` module), tagged `outcome` once
 * the request ends: `won` (the hedge answered first), `lost` (another attempt
 * did; the hedge was cut off) or `failed`.
 *
 * @since 0.1.0
 */
export const hedges = Metric.counter("steadfast_hedges_total", {
  description: "Hedged attempts of steadfast clients",
  incremental: true
})

/**
 * Failed requests, tagged `error` with the final `_tag`.
 *
 * @since 0.1.0
 */
export const errors = Metric.counter("steadfast_errors_total", {
  description: "Requests of steadfast clients that failed",
  incremental: true
})

/**
 * Request latency in milliseconds, all attempts and waits included
 * (buckets from 1 ms doubling to about 65 s).
 *
 * @since 0.1.0
 */
export const latency = Metric.histogram(
  "steadfast_request_duration_ms",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 17 }),
  "Latency of steadfast requests in milliseconds"
)

/**
 * `http.client.request.duration` of the OpenTelemetry HTTP client semantic
 * conventions: the duration of each request on the wire (each attempt, each
 * redirect hop) in seconds, from the send until the response headers (the
 * body too, for the body helpers) or the failure, with the attributes
 * `http.request.method`, `server.address`, `server.port`, `url.scheme`,
 * `http.response.status_code` (when a response came) and `error.type` (the
 * status code of a failure status, else the error's `_tag`). The buckets are
 * the ones the conventions advise. `url.full` is not an attribute: a metric
 * per url would grow without bound.
 *
 * @since 0.1.0
 */
export const requestDuration = Metric.histogram(
  "http.client.request.duration",
  MetricBoundaries.fromIterable([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]),
  "Duration of HTTP client requests, in seconds"
)
