/**
 * The connection pool: a scoped `Layer` around undici `Agent`s.
 *
 * One pool holds a bounded set of keep-alive connections per origin, the TLS
 * settings (see `Tls`) and the proxy routing (see `Proxy`). Building it reads
 * certificate files and the proxy variables; releasing its scope closes every
 * connection gracefully (in-flight requests may finish within
 * `drainTimeout`), then destroys what remains, so nothing stays open.
 *
 * Effect owns time: undici's `headersTimeout` and `bodyTimeout` are off, and
 * the client's response, body idle and deadline timeouts abort requests. The
 * connect timeout is passed to undici's connector as a backstop, so a socket
 * that never connects is closed even when nobody waits for it any more.
 *
 * The pool publishes gauges per origin — {@link connected}, {@link free},
 * {@link pending}, {@link running}, {@link size} — every `statsInterval` and
 * whenever {@link stats} is read.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Pool } from "@steadfast/node"
 *
 * const report = Effect.gen(function*() {
 *   for (const s of yield* Pool.stats) {
 *     yield* Effect.log(`${s.origin}: ${s.running} running, ${s.pending} waiting, ${s.free} idle`)
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "@steadfast/core/line/Context"
import * as Effect from "@steadfast/core/line/Effect"
import * as Layer from "@steadfast/core/line/Layer"
import type * as Scope from "@steadfast/core/line/Scope"
import type { Dispatcher } from "undici"
import * as errors from "./internal/errors.js"
import * as metrics from "./internal/metrics.js"
import * as internal from "./internal/pool.js"
import type { Options, Settings } from "./pool/options.js"
import type * as Proxy from "./Proxy.js"

/**
 * `Options` (what a pool is built from) and `Settings` (what they resolve to).
 *
 * @since 0.1.0
 */
export * from "./pool/options.js"

/**
 * `config`: pool options from environment variables.
 *
 * @since 0.1.0
 */
export * from "./pool/config.js"

/**
 * The state of the connections to one origin (undici's `PoolStats`, summed
 * over the direct and proxied connections).
 *
 * @since 0.1.0
 */
export interface Stats {
  /** `scheme://host:port` */
  readonly origin: string
  /** Open connections. */
  readonly connected: number
  /** Open connections without a request (undici counts one as free a turn of the event loop after its response completes). */
  readonly free: number
  /** Requests waiting for a connection. */
  readonly pending: number
  /** Requests waiting in the pool's own queue (part of `pending`). */
  readonly queued: number
  /** Requests on a connection. */
  readonly running: number
  /** Requests running or waiting. */
  readonly size: number
}

/**
 * A running pool.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly settings: Settings
  /** The proxy routing in force. */
  readonly proxy: Proxy.Settings
  /**
   * The undici dispatcher a request to `url` goes through (direct or the
   * proxy's, interceptors included): use undici through the same pool.
   */
  readonly dispatcherFor: (url: URL | string) => Dispatcher
  /** The proxy a request to `url` goes through, if any. */
  readonly proxyFor: (url: URL) => Proxy.Info | undefined
  /** The connections per origin, now; also refreshes the gauges. */
  readonly stats: Effect.Effect<ReadonlyArray<Stats>>
}

/**
 * The pool service tag.
 *
 * @since 0.1.0
 */
export class Pool extends Context.Tag("@steadfast/node/Pool")<Pool, Service>() {}

/**
 * Options the pool cannot use: a certificate file that cannot be read, a key
 * without a certificate, an unusable proxy url, a connection count that is
 * not a positive integer.
 *
 * @since 0.1.0
 */
export const InvalidPoolOptions: typeof errors.InvalidPoolOptions = errors.InvalidPoolOptions

/**
 * @since 0.1.0
 */
export type InvalidPoolOptions = errors.InvalidPoolOptions

/**
 * The default connections per origin (see {@link Options.connections}).
 *
 * @since 0.1.0
 */
export const defaultConnections: number = internal.DEFAULT_CONNECTIONS

/**
 * Builds a pool that is closed when the scope closes.
 *
 * @since 0.1.0
 */
export const make: (options?: Options) => Effect.Effect<Service, InvalidPoolOptions, Scope.Scope> = (options = {}) =>
  internal.make(options)

/**
 * A layer providing a {@link Pool}.
 *
 * @example
 * ```ts
 * import { Pool } from "@steadfast/node"
 *
 * const pool = Pool.layer({ connections: 16, tls: { ca: "/etc/ssl/internal-ca.pem" } })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options?: Options): Layer.Layer<Pool, InvalidPoolOptions> => Layer.scoped(Pool, make(options))

/**
 * The connections per origin of the pool in the context (refreshes the gauges).
 *
 * @since 0.1.0
 */
export const stats: Effect.Effect<ReadonlyArray<Stats>, never, Pool> = Effect.flatMap(Pool, (pool) => pool.stats)

/**
 * Open connections, tagged `origin`.
 *
 * @since 0.1.0
 */
export const connected = metrics.connected

/**
 * Open connections without a request, tagged `origin`.
 *
 * @since 0.1.0
 */
export const free = metrics.free

/**
 * Requests waiting for a connection, tagged `origin`.
 *
 * @since 0.1.0
 */
export const pending = metrics.pending

/**
 * Requests on a connection, tagged `origin`.
 *
 * @since 0.1.0
 */
export const running = metrics.running

/**
 * Requests running or waiting, tagged `origin`.
 *
 * @since 0.1.0
 */
export const size = metrics.size

/**
 * Requests the client sent once more after the reused keep-alive connection
 * they went out on turned out closed by the server (see `NodeClient`; core's
 * `Metrics.resends` counts them too, by reason), tagged `origin`.
 *
 * @since 0.1.0
 */
export const staleRetries = metrics.staleRetries

/**
 * Requests sent directly because their proxy could not be reached
 * (`proxy.fallbackToDirect`).
 *
 * @since 0.1.0
 */
export const proxyFallbacks = metrics.proxyFallbacks
