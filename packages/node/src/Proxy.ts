/**
 * Proxies: which requests go through which HTTP proxy.
 *
 * A pool sends requests through a proxy given in code (`url`), through the
 * proxies named by the environment (`"env"`: `HTTP_PROXY`, `HTTPS_PROXY`,
 * `NO_PROXY` and their lower-case forms, read as undici's
 * `EnvHttpProxyAgent` reads them), or directly (`"none"`). Requests go
 * through the proxy in a `CONNECT` tunnel (undici's `ProxyAgent`), for http
 * and https targets alike.
 *
 * The pool decides per request with {@link select} (and not undici's
 * `EnvHttpProxyAgent`), because the client must know which proxy a request
 * used: a failure to reach the proxy is a `ProxyError`, never blamed on the
 * target. Proxy urls may carry credentials (`http://user:pass@proxy:3128`);
 * every message, log line and span shows them redacted (`Redact.url`).
 *
 * With `fallbackToDirect`, a request whose proxy cannot be reached at all
 * (refused, reset, unreachable, its name does not resolve) is sent again at
 * once, directly — the client's decision, recorded in the request's history
 * (`reason: "proxy-fallback"`), with a warning in the log (once per client,
 * then at Debug); the rest of that request's attempts go direct too. A proxy
 * that answers — 407, 502, any status to `CONNECT` — is never bypassed.
 *
 * @example
 * ```ts
 * import { NodeClient } from "@steadfast/node"
 *
 * // every request through the corporate proxy, except internal hosts
 * const layer = NodeClient.layer({
 *   proxy: { url: "http://user:secret@proxy.corp:3128", noProxy: ".internal,localhost" }
 * })
 * ```
 *
 * @since 0.1.0
 */
import { Redact } from "@steadfast/core"
import * as Config from "@steadfast/core/line/Config"
import * as Option from "effect/Option"
import * as internal from "./internal/proxy.js"

/**
 * Proxy options.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * Where requests go: `"env"` reads `HTTP_PROXY` / `HTTPS_PROXY` /
   * `NO_PROXY` (lower case first, as undici and curl do; an https request
   * without `HTTPS_PROXY` uses `HTTP_PROXY`, as undici does); `"none"` goes
   * direct; an `http:` or `https:` url is the proxy for every request.
   *
   * With `"env"`, requests to loopback (`localhost`, `127.0.0.0/8`, `::1`)
   * never use the proxy, as Go's `ProxyFromEnvironment` decides: a proxy
   * cannot reach this machine's loopback anyway.
   *
   * @default "env"
   */
  readonly url?: string | URL | "env" | "none" | undefined
  /**
   * Hosts that bypass the proxy: a comma or space separated list (or an
   * array) of host names, `.suffix` / `*.suffix` domains, `host:port`, IP
   * addresses (IPv6 bare or in brackets: `::1`, `[::1]:8080`), or `*` for
   * all, as in `NO_PROXY`.
   *
   * @default the `NO_PROXY` variable with `"env"`; none with an explicit url
   */
  readonly noProxy?: string | ReadonlyArray<string> | undefined
  /**
   * When the proxy cannot be reached at all (connection refused, reset,
   * unreachable, its name does not resolve), send the request directly
   * instead. Off by default: a network that requires a proxy usually
   * forbids going around it.
   *
   * @default false
   */
  readonly fallbackToDirect?: boolean | undefined
}

/**
 * One `NO_PROXY` entry: a host name or domain suffix, and a port (`0`: any).
 *
 * @since 0.1.0
 */
export interface NoProxyEntry {
  readonly hostname: string
  readonly port: number
}

/**
 * Resolved proxy settings.
 *
 * @since 0.1.0
 */
export interface Settings {
  /** The proxy for http targets, if any. */
  readonly http: URL | undefined
  /** The proxy for https targets, if any. */
  readonly https: URL | undefined
  /** Hosts that bypass the proxy. */
  readonly noProxy: ReadonlyArray<NoProxyEntry>
  /** `NO_PROXY=*`: nothing is proxied. */
  readonly noProxyAll: boolean
  /** Loopback targets go direct (the `"env"` mode). */
  readonly directForLoopback: boolean
  readonly fallbackToDirect: boolean
}

/**
 * A proxy as the client reports it: its url with credentials redacted, host
 * and port. The same shape as core's `Classify.Context["proxy"]`.
 *
 * @since 0.1.0
 */
export interface Info {
  readonly url: string
  readonly host: string
  readonly port: number
}

/**
 * No proxy at all.
 *
 * @since 0.1.0
 */
export const none: Settings = {
  http: undefined,
  https: undefined,
  noProxy: [],
  noProxyAll: false,
  directForLoopback: false,
  fallbackToDirect: false
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 }

/**
 * Parses a `NO_PROXY` value (entries separated by commas or white space;
 * leading `.` or `*.` stripped; `host:port` limits an entry to a port; an
 * IPv6 address is kept whole, without brackets: `::1`, `[::1]:8080`).
 *
 * @example
 * ```ts
 * import { Proxy } from "@steadfast/node"
 *
 * Proxy.parseNoProxy("localhost, .internal,*.corp:8080")
 * // { all: false, entries: [{ hostname: "localhost", port: 0 }, { hostname: "internal", port: 0 }, { hostname: "corp", port: 8080 }] }
 * ```
 *
 * @since 0.1.0
 */
export const parseNoProxy = (
  value: string | ReadonlyArray<string>
): { readonly all: boolean; readonly entries: ReadonlyArray<NoProxyEntry> } => {
  const parts = typeof value === "string" ? value.split(/[,\s]/) : value.flatMap((v) => v.split(/[,\s]/))
  const entries: Array<NoProxyEntry> = []
  let all = false
  for (const part of parts) {
    const entry = part.trim()
    if (entry === "") continue
    if (entry === "*") {
      all = true
      continue
    }
    // `[v6]` or `[v6]:port`; a bare IPv6 address (two colons or more) has no port
    const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry)
    const withPort = bracketed !== null || entry.indexOf(":") !== entry.lastIndexOf(":")
      ? null
      : /^(.+):(\d+)$/.exec(entry)
    const host = bracketed !== null ? bracketed[1]! : withPort === null ? entry : withPort[1]!
    const port = bracketed?.[2] ?? withPort?.[2]
    entries.push({ hostname: normalizeHost(host.replace(/^\*?\./, "")), port: port === undefined ? 0 : Number(port) })
  }
  return { all, entries }
}

/**
 * A host as `NO_PROXY` entries and urls are compared: lower case, without
 * the brackets of an IPv6 address (written the way urls write it), without
 * the trailing dot of a fully qualified name.
 */
const normalizeHost = (host: string): string => {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host
  if (bare.includes(":")) {
    try {
      return new URL(`http://[${bare}]/`).hostname.slice(1, -1)
    } catch {
      return bare.toLowerCase()
    }
  }
  return bare.toLowerCase().replace(/\.$/, "")
}

const isLoopback = (hostname: string): boolean => {
  const host = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/**
 * The proxy a request to `url` goes through, or `undefined` for a direct
 * connection. Pure: the same rules as undici's `EnvHttpProxyAgent` (host
 * equal to an entry or a subdomain of it, optionally on one port), plus the
 * loopback rule of the `"env"` mode.
 *
 * @since 0.1.0
 */
export const select = (settings: Settings, url: URL): URL | undefined => {
  const proxy = url.protocol === "https:" ? settings.https : settings.http
  if (proxy === undefined || settings.noProxyAll) return undefined
  const hostname = normalizeHost(url.hostname)
  if (settings.directForLoopback && isLoopback(hostname)) return undefined
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0
  for (const entry of settings.noProxy) {
    if (entry.port !== 0 && entry.port !== port) continue
    if (hostname === entry.hostname || hostname.endsWith(`.${entry.hostname}`)) return undefined
  }
  return proxy
}

/**
 * How the client names a proxy (credentials redacted).
 *
 * @since 0.1.0
 */
export const info = (proxy: URL): Info => ({
  url: Redact.url(proxy),
  host: proxy.hostname.startsWith("[") ? proxy.hostname.slice(1, -1) : proxy.hostname,
  port: Number.parseInt(proxy.port, 10) || DEFAULT_PORTS[proxy.protocol] || 0
})

/**
 * Parses a proxy url: `http:` or `https:` only; a bare `host:port` is taken
 * as `http://host:port` (as curl does).
 *
 * @since 0.1.0
 */
export const parseUrl = (input: string | URL): URL | string => {
  let url: URL
  try {
    url = typeof input === "string" ? new URL(internal.withScheme(input)) : input
  } catch {
    return `${internal.redact(String(input))} is not a url`
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `${Redact.url(url)}: only http: and https: proxies are supported`
  }
  return url
}

/**
 * The proxy variables of an environment, as the `"env"` mode reads them.
 *
 * @since 0.1.0
 */
export interface Environment {
  readonly httpProxy: string | undefined
  readonly httpsProxy: string | undefined
  readonly noProxy: string | undefined
}

const variable = (lower: string, upper: string): Config.Config<string | undefined> =>
  Config.map(
    Config.all([Config.option(Config.string(lower)), Config.option(Config.string(upper))]),
    ([l, u]) => {
      const value = Option.getOrUndefined(Option.orElse(Option.filter(l, (s) => s !== ""), () => u))
      return value === "" ? undefined : value
    }
  )

/**
 * Reads `http_proxy` / `HTTP_PROXY`, `https_proxy` / `HTTPS_PROXY` and
 * `no_proxy` / `NO_PROXY` (lower case first) from `Config`, unprefixed: these
 * are the variables every tool reads.
 *
 * @since 0.1.0
 */
export const environment: Config.Config<Environment> = Config.map(
  Config.all({
    httpProxy: variable("http_proxy", "HTTP_PROXY"),
    httpsProxy: variable("https_proxy", "HTTPS_PROXY"),
    noProxy: variable("no_proxy", "NO_PROXY")
  }),
  (env): Environment => env
)

/**
 * Resolves options against the proxy variables of the environment. Fails
 * with a reason when a proxy url is unusable.
 *
 * @since 0.1.0
 */
export const settings = (options: Options | undefined, env: Environment): Settings | string => {
  const url = options?.url ?? "env"
  const fallbackToDirect = options?.fallbackToDirect ?? false
  if (url === "none") return { ...none, fallbackToDirect }
  if (url === "env") {
    const http = env.httpProxy === undefined ? undefined : parseUrl(env.httpProxy)
    if (typeof http === "string") return `HTTP_PROXY: ${http}`
    const https = env.httpsProxy === undefined ? http : parseUrl(env.httpsProxy)
    if (typeof https === "string") return `HTTPS_PROXY: ${https}`
    const noProxy = parseNoProxy(options?.noProxy ?? env.noProxy ?? "")
    return {
      http,
      https,
      noProxy: noProxy.entries,
      noProxyAll: noProxy.all,
      directForLoopback: true,
      fallbackToDirect
    }
  }
  const proxy = parseUrl(url)
  if (typeof proxy === "string") return proxy
  const noProxy = parseNoProxy(options?.noProxy ?? "")
  return {
    http: proxy,
    https: proxy,
    noProxy: noProxy.entries,
    noProxyAll: noProxy.all,
    directForLoopback: false,
    fallbackToDirect
  }
}

/**
 * Reads proxy options from `Config`: `PROXY` (`env`, `none` or a url;
 * default `env`), `PROXY_NO_PROXY` (the bypass list; with `env` it replaces
 * `NO_PROXY`) and `PROXY_FALLBACK_DIRECT` (boolean, default false). `NodeClient.layerConfig` nests it as
 * `STEADFAST_PROXY`, `STEADFAST_PROXY_NO_PROXY`, `STEADFAST_PROXY_FALLBACK_DIRECT`.
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.map(
  Config.all({
    url: Config.option(Config.string("PROXY")),
    noProxy: Config.option(Config.string("PROXY_NO_PROXY")),
    fallbackToDirect: Config.option(Config.boolean("PROXY_FALLBACK_DIRECT"))
  }),
  (c): Options => ({
    url: Option.getOrUndefined(c.url),
    noProxy: Option.getOrUndefined(c.noProxy),
    fallbackToDirect: Option.getOrUndefined(c.fallbackToDirect)
  })
)
