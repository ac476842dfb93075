/**
 * The resilient client on Node: steadfast's core client over an undici pool.
 *
 * {@link layer} provides three services from one pool:
 * - `Client.Client` (from `@steadfast/core`): deadline, retries, redirects,
 *   timeouts and typed errors, over the direct undici transport;
 * - a platform `HttpClient.HttpClient` over the same pool, carrying that
 *   transport (so `Client.layer` or `Client.make` built on it take the fast
 *   path too);
 * - the `Pool`, for its stats.
 *
 * The transport sends each request with undici's `dispatch()` and its own
 * handler (undici's controller API). It reports what happens to each attempt
 * — waiting in the pool's queue, a connection being opened, on a reused or a
 * fresh connection, written — so the client runs the pool, connect and
 * response timeouts apart and knows whether a request may have reached the
 * server. It decides nothing: a failure keeps undici's and Node's errors as
 * its `cause` (before the headers a `RequestError` with reason
 * `"Transport"`, during the body a `ResponseError` with reason `"Decode"`),
 * and the client decides what to do next. An attempt the client cuts off
 * ends on the socket it had (destroyed if the request was on one, dropped
 * from the queue without touching any socket otherwise): nothing opens a
 * connection on its behalf.
 *
 * Stale keep-alive connections: a server may close an idle connection just
 * as a request goes out on it. When a request on a reused connection fails
 * with a reset or close before any byte of the response, the client sends it
 * once more at once, whatever the retry policy says — when nothing of it was
 * written yet, or when it is safe to send twice (GET, HEAD, OPTIONS, PUT,
 * DELETE, TRACE or an `Idempotency-Key` header, and a body that can be sent
 * twice); browsers, curl and Go's `net/http` do the same. The re-send is in
 * the request's history (`reason: "stale-socket"`). A reset on a fresh
 * connection, or of a POST that went out, is left to the retry policy.
 *
 * HTTP/2 is opt-in (`pool.allowH2`): a stream the server refused
 * (`REFUSED_STREAM`) was not processed, and is sent again at once whatever
 * its method (`reason: "refused-stream"`); see the "HTTP/2" guide. Name
 * resolution (a resolver, the DNS cache, happy eyeballs) is the `dns`
 * option (see `Dns`).
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Client } from "@steadfast/core"
 * import { NodeClient } from "@steadfast/node"
 * import { Effect } from "effect"
 *
 * const program = Client.text(HttpClientRequest.get("https://example.com/")).pipe(
 *   Effect.provide(NodeClient.layer({ retry: { retries: 2 }, pool: { connections: 16 } }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Client, ConfigKeys, type Errors, Timeouts, Transport } from "@steadfast/core"
import * as Config from "@steadfast/core/line/Config"
import type * as ConfigError from "@steadfast/core/line/ConfigError"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import { HttpClient } from "@steadfast/core/line/http"
import * as Layer from "@steadfast/core/line/Layer"
import type * as Scope from "@steadfast/core/line/Scope"
import type * as Dns from "./Dns.js"
import { engineOf } from "./internal/pool.js"
import * as direct from "./internal/transport.js"
import * as Pool from "./Pool.js"
import type * as Proxy from "./Proxy.js"
import type * as Tls from "./Tls.js"

/**
 * Options of {@link layer}: the client's options plus the pool's.
 *
 * @since 0.1.0
 */
export interface Options extends Client.Options {
  /** The pool's options. @default Pool's defaults; `connectTimeout` follows `timeouts.connect` */
  readonly pool?: Pool.Options | undefined
  /** TLS options (wins over `pool.tls`). @default verify against Node's roots */
  readonly tls?: Tls.Options | undefined
  /** Proxy options (wins over `pool.proxy`). @default { url: "env" } */
  readonly proxy?: Proxy.Options | undefined
  /**
   * Name resolution: lookup or resolver, DNS cache, happy eyeballs (wins
   * over `pool.dns`; see `Dns`). @default Node's `dns.lookup`, no cache
   */
  readonly dns?: Dns.Options | undefined
}

/**
 * The direct transport over a pool (what `Client.makeWithTransport` takes).
 *
 * @since 0.1.0
 */
export const makeTransport = (pool: Pool.Service): Transport.Transport => direct.makeTransport(engineOf(pool))

/**
 * A platform `HttpClient` over a pool. It carries the direct transport
 * (`Transport.withTransport`), so a resilient client built on it takes the
 * fast path. Used on its own it has no timeouts but the pool's connect
 * timeout; its failures keep no secret (`Transport.redactFailures`: a
 * redacted request, and a summary of undici's error as `cause`). Like
 * `fetch`, it asks for compressed bodies and decodes them unless
 * `options.decompress` is false (see `Client.Options.decompress`).
 *
 * @since 0.1.0
 */
export const makeHttpClient = (
  pool: Pool.Service,
  options?: {
    /** @default true */
    readonly decompress?: boolean | undefined
  }
): HttpClient.HttpClient => {
  const transport = makeTransport(pool)
  const connectTimeoutMs = Duration.toMillis(pool.settings.connectTimeout)
  const decompress = options?.decompress ?? true
  const client = Transport.makeRedactedHttpClient((request, url, signal) =>
    transport.send(request, url, Transport.attemptFromSignal(signal, { connectTimeoutMs, decompress }))
  )
  return Transport.withTransport(client, transport)
}

const clientOptions = (options: Options): Client.Options => {
  const { dns: _dns, pool: _pool, proxy: _proxy, tls: _tls, ...rest } = options
  return rest
}

const poolOptions = (options: Options): Pool.Options => ({
  ...options.pool,
  // the client's SSRF guard checks the pool's connections after DNS resolution
  allowAddress: options.pool?.allowAddress ?? options.allowAddress,
  tls: options.tls ?? options.pool?.tls,
  proxy: options.proxy ?? options.pool?.proxy,
  dns: options.dns ?? options.pool?.dns,
  connectTimeout: options.pool?.connectTimeout ?? Timeouts.make(options.timeouts).connect
})

/**
 * Builds a resilient client over the pool in the context; failures to reach
 * the pool's proxy are classified as `ProxyError`.
 *
 * @since 0.1.0
 */
export const make = (
  options?: Client.Options
): Effect.Effect<Client.ResilientClient, Errors.InvalidOptions, Pool.Pool | Scope.Scope> =>
  Effect.flatMap(
    Pool.Pool,
    (pool) => Client.makeWithTransport(makeTransport(pool), options, { proxyFor: pool.proxyFor })
  )

/**
 * The client and the platform `HttpClient` over the `Pool` in the context
 * (share one pool between clients with different options).
 *
 * @since 0.1.0
 */
export const layerWithoutPool = (
  options?: Client.Options
): Layer.Layer<Client.Client | HttpClient.HttpClient, Errors.InvalidOptions, Pool.Pool> =>
  Layer.merge(
    Layer.scoped(Client.Client, make(options)),
    Layer.effect(
      HttpClient.HttpClient,
      Effect.map(Pool.Pool, (pool) => makeHttpClient(pool, { decompress: options?.decompress }))
    )
  )

/**
 * The resilient client, a platform `HttpClient` and the `Pool` they share.
 * The pool's connect timeout (undici's backstop) follows `timeouts.connect`
 * unless `pool.connectTimeout` is given.
 *
 * @example
 * ```ts
 * import { NodeClient } from "@steadfast/node"
 *
 * const layer = NodeClient.layer({
 *   timeouts: { connect: "2 seconds", response: "10 seconds" },
 *   pool: { connections: 32 },
 *   tls: { ca: "/etc/ssl/internal-ca.pem", includeDefaultCa: true },
 *   proxy: { url: "env", fallbackToDirect: true }
 * })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<Client.Client | HttpClient.HttpClient | Pool.Pool, Pool.InvalidPoolOptions | Errors.InvalidOptions> => {
  // checked before the pool's options are derived from them (`timeouts.connect`)
  const invalid = Client.validate(clientOptions(options))
  if (invalid !== undefined) return Layer.unwrapEffect(Effect.fail(invalid))
  const pool = checkPoolDurations(options.pool)
  if (pool !== undefined) return Layer.unwrapEffect(Effect.fail(pool))
  return Layer.provideMerge(layerWithoutPool(clientOptions(options)), Pool.layer(poolOptions(options)))
}

const POOL_DURATIONS = ["keepAliveTimeout", "keepAliveMaxTimeout", "connectTimeout", "drainTimeout", "statsInterval"]

/** The pool's durations, as the client's are checked: a bad one is a typed error, not a defect of `Duration.decode`. */
const checkPoolDurations = (pool: Pool.Options | undefined): Pool.InvalidPoolOptions | undefined => {
  for (const name of POOL_DURATIONS) {
    const value = (pool as Record<string, unknown> | undefined)?.[name]
    if (value === undefined || Duration.isDuration(value)) continue
    const valid = typeof value === "number"
      ? value >= 0
      : typeof value === "string" && !value.trim().startsWith("-") && Duration.decodeUnknown(value)._tag === "Some"
    if (!valid) {
      return new Pool.InvalidPoolOptions({
        option: `pool.${name}`,
        reason: `must be a duration ("5 seconds", milliseconds >= 0, or Duration.infinity) (got ${
          typeof value === "string" ? JSON.stringify(value) : String(value)
        })`
      })
    }
  }
  return undefined
}

/**
 * Reads {@link Options} from `Config`: core's `Client.config` (`RETRIES`,
 * `TIMEOUT_CONNECT`, …) and `Pool.config` (`POOL_CONNECTIONS`, `TLS_CA`,
 * `PROXY`, …), unprefixed; {@link layerConfig} adds the `STEADFAST_` prefix.
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.map(
  Config.all({ client: Client.config, pool: Pool.config }),
  ({ client, pool }): Options => ({ ...client, pool })
)

const merge = (base: Options, overrides: Options | undefined): Options =>
  overrides === undefined ? base : {
    ...base,
    ...Client.mergeOptions(base, overrides),
    pool: { ...base.pool, ...overrides.pool },
    tls: overrides.tls === undefined ? base.tls : { ...base.pool?.tls, ...base.tls, ...overrides.tls },
    proxy: overrides.proxy === undefined ? base.proxy : { ...base.pool?.proxy, ...base.proxy, ...overrides.proxy },
    dns: overrides.dns === undefined ? base.dns : { ...base.pool?.dns, ...base.dns, ...overrides.dns }
  }

/**
 * {@link layer} with options from `Config` (environment variables by
 * default), prefixed `STEADFAST_`; `overrides` from code win. The variables:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `STEADFAST_RETRIES`, `STEADFAST_TIMEOUT_*`, … | the client (core's `Client.config`) | |
 * | `STEADFAST_POOL_CONNECTIONS` | connections per origin | 64 |
 * | `STEADFAST_POOL_KEEP_ALIVE`, `STEADFAST_POOL_PIPELINING` | keep-alive, pipelining | true, 1 |
 * | `STEADFAST_POOL_KEEP_ALIVE_TIMEOUT`, `STEADFAST_POOL_KEEP_ALIVE_MAX_TIMEOUT` | idle connection lifetime | 4 seconds, 10 minutes |
 * | `STEADFAST_POOL_MAX_RESPONSE_SIZE` | hard body limit in bytes | none |
 * | `STEADFAST_POOL_CONNECT_TIMEOUT` | undici's connect timeout | `STEADFAST_TIMEOUT_CONNECT` |
 * | `STEADFAST_POOL_DRAIN_TIMEOUT`, `STEADFAST_POOL_STATS_INTERVAL` | graceful close, gauge refresh | 5 s, 10 s |
 * | `STEADFAST_POOL_ALLOW_H2`, `STEADFAST_POOL_MAX_CONCURRENT_STREAMS` | HTTP/2 by ALPN, requests at once on one | false, 100 |
 * | `STEADFAST_TLS_CA` | CA: PEM, or paths separated by commas | Node's roots |
 * | `STEADFAST_TLS_INCLUDE_DEFAULT_CA` | keep Node's roots next to the CA | false |
 * | `STEADFAST_TLS_CERT`, `STEADFAST_TLS_KEY`, `STEADFAST_TLS_PASSPHRASE` | client certificate | none |
 * | `STEADFAST_TLS_SERVERNAME` | SNI / certificate name | the url's host |
 * | `STEADFAST_TLS_REJECT_UNAUTHORIZED` | verify certificates | true |
 * | `STEADFAST_PROXY` | `env`, `none` or a proxy url | `env` |
 * | `STEADFAST_PROXY_NO_PROXY` | hosts that bypass the proxy | `NO_PROXY` |
 * | `STEADFAST_PROXY_FALLBACK_DIRECT` | go direct when the proxy is unreachable | false |
 * | `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (and lower case) | read, unprefixed, when `STEADFAST_PROXY` is `env` | |
 *
 * Any other variable under the prefix is logged as a warning that names the
 * closest of these (`STEADFAST_POOL_CONECTIONS`: did you mean
 * `STEADFAST_POOL_CONNECTIONS`?), since it is a setting that is not applied.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options?: { readonly prefix?: string | undefined; readonly overrides?: Options | undefined }
): Layer.Layer<
  Client.Client | HttpClient.HttpClient | Pool.Pool,
  ConfigError.ConfigError | Pool.InvalidPoolOptions | Errors.InvalidOptions
> =>
  Layer.unwrapEffect(
    Effect.zipRight(
      // a misspelt STEADFAST_* variable is a setting not applied: say so
      ConfigKeys.warnUnknown(config, options?.prefix ?? "STEADFAST"),
      Effect.map(
        options?.prefix === "" ? config : Config.nested(config, options?.prefix ?? "STEADFAST"),
        (fromConfig) => layer(merge(fromConfig, options?.overrides))
      )
    )
  )
