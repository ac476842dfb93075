/**
 * Where a request goes on the undici transport, and what an exchange
 * (exchange.ts) needs from the pool that sends it (pool.ts builds it).
 *
 * @internal
 */
import type { Dispatcher } from "undici"

/** The proxy a request goes through, as core's `Classify` wants it. @internal */
export interface ProxyInfo {
  readonly url: string
  readonly host: string
  readonly port: number
}

/** Where a request goes. @internal */
export interface Route {
  readonly dispatcher: Dispatcher
  readonly proxy: ProxyInfo | undefined
}

/** What an exchange needs from its pool. @internal */
export interface Engine {
  readonly route: (url: URL) => Route
  /** The direct route, for attempts that bypass the proxy (a fallback decided by core). */
  readonly direct: Route
  /** A request whose proxy cannot be reached may go direct (reported to core as a fact of the route). */
  readonly fallbackToDirect: boolean
  /** Requests per connection: above 1 an exchange may not be the head of its connection. */
  readonly pipelining: number
  /** The pool's `maxResponseSize`, reported as the limit when undici enforces it. */
  readonly maxResponseSize: number | undefined
  /** The bound on connections per origin (`Infinity`: none). */
  readonly connections: number
  /** Core decided to send a request again at once: the pool's counters. */
  readonly onResend: (reason: "stale-socket" | "proxy-fallback" | "refused-stream", url: URL) => void
}
