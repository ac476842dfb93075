/**
 * The pool's metrics (re-exported by `Pool`).
 *
 * @internal
 */
import * as Metric from "@steadfast/core/line/Metric"

/** @internal */
export const connected = Metric.gauge("steadfast_pool_connected", {
  description: "Open connections of a steadfast pool, per origin"
})

/** @internal */
export const free = Metric.gauge("steadfast_pool_free", {
  description: "Open connections without a request, per origin"
})

/** @internal */
export const pending = Metric.gauge("steadfast_pool_pending", {
  description: "Requests waiting for a connection, per origin"
})

/** @internal */
export const running = Metric.gauge("steadfast_pool_running", {
  description: "Requests on a connection, per origin"
})

/** @internal */
export const size = Metric.gauge("steadfast_pool_size", {
  description: "Requests running or waiting, per origin"
})

/** @internal */
export const staleRetries = Metric.counter("steadfast_pool_stale_retries_total", {
  description: "Requests sent again after a reused keep-alive connection turned out closed, per origin",
  incremental: true
})

/** @internal */
export const proxyFallbacks = Metric.counter("steadfast_proxy_fallbacks_total", {
  description: "Requests sent directly because their proxy could not be reached",
  incremental: true
})
