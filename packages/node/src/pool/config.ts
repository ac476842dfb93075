/**
 * Pool options from `Config` (environment variables by default).
 *
 * @since 0.1.0
 */
import * as Config from "@steadfast/core/line/Config"
import * as Option from "effect/Option"
import * as Proxy from "../Proxy.js"
import * as Tls from "../Tls.js"
import type { Options } from "./options.js"

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
