/**
 * Where a request goes on the undici transport, what an exchange
 * (exchange.ts) needs from the pool that sends it (pool.ts builds it), and
 * the options it hands undici.
 *
 * @internal
 */
import type { Dispatcher } from "undici"
import { type Assignable, ExchangeKey } from "./connections.js"

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

/**
 * What an exchange dispatches to undici: the request's origin, path, method,
 * headers and body, and the exchange itself under `ExchangeKey` (how the
 * pool's connection finds it: connections.ts).
 *
 * A class, not an object literal, on purpose: V8 allocates the objects of a
 * literal whose objects often outlive a minor GC straight in the old
 * generation ("allocation-site pretenuring"). These options were: from the
 * old generation their link to the exchange then kept each request's objects
 * (attempt, call, response) through every minor GC until the next full one,
 * about 2 MB per minor GC at c=1 (bench/PROFILES.md). Objects made by
 * `new` are never pretenured.
 *
 * @internal
 */
export class DispatchOptions {
  readonly [ExchangeKey]: Assignable

  constructor(
    readonly origin: string,
    readonly path: string,
    readonly method: Dispatcher.HttpMethod,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: Dispatcher.DispatchOptions["body"] | null,
    exchange: Assignable
  ) {
    this[ExchangeKey] = exchange
  }
}
