/**
 * What a pool is built from: its `Options`, and the `Settings` they resolve
 * to.
 *
 * @since 0.1.0
 */
import type * as Duration from "@steadfast/core/line/Duration"
import type { Dispatcher } from "undici"
import type * as Dns from "../Dns.js"
import type { Lookup } from "../internal/guard.js"
import type * as Proxy from "../Proxy.js"
import type * as Tls from "../Tls.js"

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
