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
import * as Config from "@steadfast/core/line/Config"
import * as Context from "@steadfast/core/line/Context"
import type * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as Layer from "@steadfast/core/line/Layer"
import type * as Scope from "@steadfast/core/line/Scope"
import * as Option from "effect/Option"
import type { Dispatcher } from "undici"
import type * as Dns from "./Dns.js"
import * as errors from "./internal/errors.js"
import type { Lookup } from "./internal/guard.js"
import * as metrics from "./internal/metrics.js"
import * as internal from "./internal/pool.js"
import * as Proxy from "./Proxy.js"
import * as Tls from "./Tls.js"

/**
 * Pool options. Every field documents its default.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * Connections per origin; requests beyond them wait in the pool's queue
   * (the client's `timeouts.pool` bounds that wait: `PoolTimeout`).
   * `Infinity` removes the bound.
   *
   * @default 64 — the concurrency the performance budget is measured at, so
   * the default pool never queues a load like that one; bounded, because
   * undici's own default (no limit) lets a burst or a retry storm open
   * thousands of sockets to one server and run out of ephemeral ports, file
   * descriptors (often 1024 per process) or the server's connection limit
   * (nginx: 512 per worker by default). Browsers use 6 per origin for
   * HTTP/1.1; a server-side client fans out far more.
   */
  readonly connections?: number | undefined
  /**
   * Keep connections open between requests. `false` sends
   * `connection: close` with every request.
   *
   * @default true
   */
  readonly keepAlive?: boolean | undefined
  /**
   * Requests sent on one connection before their responses arrive (HTTP/1.1
   * pipelining; only idempotent requests are pipelined). `1` turns it off.
   *
   * @default 1 (undici's default)
   */
  readonly pipelining?: number | undefined
  /**
   * How long an idle connection is kept when the server does not say (a
   * server's `Keep-Alive: timeout=n` header, less 2 s, wins). At most about
   * 24.8 days (2^31 - 1 ms, Node's longest timer), which `Duration.infinity`
   * means.
   *
   * @default "4 seconds" (undici's default)
   */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /**
   * The longest idle time honoured from a server's `Keep-Alive` header.
   *
   * @default "10 minutes" (undici's default)
   */
  readonly keepAliveMaxTimeout?: Duration.DurationInput | undefined
  /**
   * A hard limit on a response body in bytes, enforced by undici for every
   * user of the pool (the platform `HttpClient` included); the resilient
   * client's own `maxBodySize` applies in any case.
   *
   * @default no limit
   */
  readonly maxResponseSize?: number | undefined
  /**
   * undici's connect timeout: a backstop behind the client's `timeouts.connect`
   * that closes a socket that never connects. `NodeClient.layer` sets it to
   * the client's connect timeout.
   *
   * @default "5 seconds" (core's `Timeouts.defaults.connect`)
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * When the pool's scope closes: how long in-flight requests may take to
   * finish before every connection is destroyed (what is left then fails with
   * `TransportError` reason `"closed"`, which is not retried). The close
   * itself takes at most this long, plus the destruction.
   *
   * @default "5 seconds"
   */
  readonly drainTimeout?: Duration.DurationInput | undefined
  /**
   * How often the gauges are refreshed (`Duration.infinity` turns the
   * refresh off; reading {@link stats} refreshes them too).
   *
   * @default "10 seconds"
   */
  readonly statsInterval?: Duration.DurationInput | undefined
  /**
   * The SSRF guard of every direct connection: a rule over the address the
   * connection goes to, checked after DNS resolution, for each new
   * connection (so DNS rebinding cannot get round it). `NodeClient.layer`
   * sets it from the client's `allowAddress`. Connections to a proxy are
   * not checked. @default none
   */
  readonly allowAddress?: ((address: string) => boolean) | undefined
  /**
   * Resolves names for direct connections, with the signature of
   * `dns.lookup` (what `net.connect` calls); the same as `dns.lookup`.
   * @default dns.lookup
   */
  readonly lookup?: Lookup | undefined
  /**
   * Name resolution of direct connections: a lookup function or an Effect
   * resolver, the DNS cache, happy eyeballs (see `Dns`). Connections
   * through a proxy leave the name to the proxy.
   *
   * @default Node's `dns.lookup`, no cache, Node's happy eyeballs settings
   */
  readonly dns?: Dns.Options | undefined
  /**
   * Offer HTTP/2 in the TLS handshake (ALPN `h2`, after `http/1.1`): a
   * server that picks it gets one connection per origin carrying many
   * requests at once (up to the server's `SETTINGS_MAX_CONCURRENT_STREAMS`,
   * at most `maxConcurrentStreams`). Plain `http:` stays HTTP/1.1. See the
   * "HTTP/2" guide for how its failures (GOAWAY, RST_STREAM) are reported.
   *
   * @default false — undici's default: its HTTP/2 client is younger than its
   * HTTP/1.1 one, and one connection per origin changes how load spreads
   */
  readonly allowH2?: boolean | undefined
  /**
   * Requests in flight on one HTTP/2 connection, until the server's
   * SETTINGS say otherwise.
   *
   * @default 100 (undici's, the default of Node's HTTP/2 server)
   */
  readonly maxConcurrentStreams?: number | undefined
  /** TLS settings. @default verify against Node's roots */
  readonly tls?: Tls.Options | undefined
  /** Proxy settings. @default { url: "env" } */
  readonly proxy?: Proxy.Options | undefined
  /**
   * undici interceptors composed onto every dispatcher of the pool (outermost
   * last, as `Dispatcher.compose` does), e.g. the testkit's
   * `FaultServer.interceptor`.
   *
   * @default none
   */
  readonly interceptors?: ReadonlyArray<Dispatcher.DispatchInterceptor> | undefined
}

/**
 * A pool's resolved settings.
 *
 * @since 0.1.0
 */
export interface Settings {
  readonly connections: number
  readonly keepAlive: boolean
  readonly pipelining: number
  readonly keepAliveTimeout: Duration.Duration
  readonly keepAliveMaxTimeout: Duration.Duration
  readonly maxResponseSize: number | undefined
  readonly connectTimeout: Duration.Duration
  readonly drainTimeout: Duration.Duration
  readonly statsInterval: Duration.Duration
}

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

/**
 * Reads pool options from `Config` (environment variables by default):
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `POOL_CONNECTIONS` | connections per origin | 64 |
 * | `POOL_KEEP_ALIVE` | keep connections open | true |
 * | `POOL_PIPELINING` | requests in flight per connection | 1 |
 * | `POOL_KEEP_ALIVE_TIMEOUT` | idle connection lifetime | 4 seconds |
 * | `POOL_KEEP_ALIVE_MAX_TIMEOUT` | longest idle time a server may ask for | 10 minutes |
 * | `POOL_MAX_RESPONSE_SIZE` | hard body limit in bytes | none |
 * | `POOL_CONNECT_TIMEOUT` | undici's connect timeout | 5 seconds |
 * | `POOL_DRAIN_TIMEOUT` | graceful close bound | 5 seconds |
 * | `POOL_STATS_INTERVAL` | gauge refresh | 10 seconds |
 * | `POOL_ALLOW_H2` | offer HTTP/2 by ALPN | false |
 * | `POOL_MAX_CONCURRENT_STREAMS` | requests at once on one HTTP/2 connection | 100 |
 * | `TLS_*` | see `Tls.config` | |
 * | `PROXY`, `PROXY_NO_PROXY`, `PROXY_FALLBACK_DIRECT` | see `Proxy.config` | `env` |
 *
 * `NodeClient.layerConfig` reads them with the `STEADFAST_` prefix
 * (`STEADFAST_POOL_CONNECTIONS`, …).
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.map(
  Config.all({
    connections: Config.option(Config.integer("POOL_CONNECTIONS")),
    keepAlive: Config.option(Config.boolean("POOL_KEEP_ALIVE")),
    pipelining: Config.option(Config.integer("POOL_PIPELINING")),
    keepAliveTimeout: Config.option(Config.duration("POOL_KEEP_ALIVE_TIMEOUT")),
    keepAliveMaxTimeout: Config.option(Config.duration("POOL_KEEP_ALIVE_MAX_TIMEOUT")),
    maxResponseSize: Config.option(Config.integer("POOL_MAX_RESPONSE_SIZE")),
    connectTimeout: Config.option(Config.duration("POOL_CONNECT_TIMEOUT")),
    drainTimeout: Config.option(Config.duration("POOL_DRAIN_TIMEOUT")),
    statsInterval: Config.option(Config.duration("POOL_STATS_INTERVAL")),
    allowH2: Config.option(Config.boolean("POOL_ALLOW_H2")),
    maxConcurrentStreams: Config.option(Config.integer("POOL_MAX_CONCURRENT_STREAMS")),
    tls: Tls.config,
    proxy: Proxy.config
  }),
  (c): Options => ({
    connections: Option.getOrUndefined(c.connections),
    keepAlive: Option.getOrUndefined(c.keepAlive),
    pipelining: Option.getOrUndefined(c.pipelining),
    keepAliveTimeout: Option.getOrUndefined(c.keepAliveTimeout),
    keepAliveMaxTimeout: Option.getOrUndefined(c.keepAliveMaxTimeout),
    maxResponseSize: Option.getOrUndefined(c.maxResponseSize),
    connectTimeout: Option.getOrUndefined(c.connectTimeout),
    drainTimeout: Option.getOrUndefined(c.drainTimeout),
    statsInterval: Option.getOrUndefined(c.statsInterval),
    allowH2: Option.getOrUndefined(c.allowH2),
    maxConcurrentStreams: Option.getOrUndefined(c.maxConcurrentStreams),
    tls: c.tls,
    proxy: c.proxy
  })
)
