/**
 * The pool: undici agents (one direct, one per proxy), their stats and their
 * graceful release.
 *
 * @internal
 */
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as MetricLabel from "@steadfast/core/line/MetricLabel"
import type * as Scope from "@steadfast/core/line/Scope"
import { updateMetric } from "@steadfast/core/line/unsafe"
import * as Schedule from "effect/Schedule"
import { Agent, type Dispatcher, Pool as UndiciPool, ProxyAgent } from "undici"
import * as Dns from "../Dns.js"
import type * as Pool from "../Pool.js"
import * as Proxy from "../Proxy.js"
import { ConnectionPool } from "./connections.js"
import * as dns from "./dns.js"
import { InvalidPoolOptions } from "./errors.js"
import { guardedConnector } from "./guard.js"
import * as Metrics from "./metrics.js"
import type { Engine, Route } from "./route.js"
import * as Tls from "./tls.js"

/** @internal */
export const EngineKey: unique symbol = Symbol.for("@steadfast/node/Pool/engine") as never

/** The engine behind a pool service. @internal */
export const engineOf = (pool: Pool.Service): Engine => (pool as unknown as { readonly [EngineKey]: Engine })[EngineKey]

/** @internal */
export const DEFAULT_CONNECTIONS = 64

const positiveInteger = (option: string, value: number | undefined, fallback: number, min: number) => {
  const n = value ?? fallback
  if (n === Infinity && option === "connections") return Effect.succeed(n)
  return Number.isInteger(n) && n >= min
    ? Effect.succeed(n)
    : Effect.fail(new InvalidPoolOptions({ option, reason: `must be an integer >= ${min} (got ${n})` }))
}

/** Resolves options (no I/O). @internal */
export const settings = (options: Pool.Options): Effect.Effect<Pool.Settings, InvalidPoolOptions> =>
  Effect.gen(function*() {
    const connections = yield* positiveInteger("connections", options.connections, DEFAULT_CONNECTIONS, 1)
    const keepAlive = options.keepAlive ?? true
    const pipelining = keepAlive ? yield* positiveInteger("pipelining", options.pipelining, 1, 1) : 0
    if (options.maxConcurrentStreams !== undefined) {
      yield* positiveInteger("maxConcurrentStreams", options.maxConcurrentStreams, 100, 1)
    }
    if (options.maxResponseSize !== undefined) {
      yield* positiveInteger("maxResponseSize", options.maxResponseSize, 0, 0)
    }
    return {
      connections,
      keepAlive,
      pipelining,
      keepAliveTimeout: Duration.decode(options.keepAliveTimeout ?? "4 seconds"),
      keepAliveMaxTimeout: Duration.decode(options.keepAliveMaxTimeout ?? "10 minutes"),
      maxResponseSize: options.maxResponseSize,
      connectTimeout: Duration.decode(options.connectTimeout ?? "5 seconds"),
      drainTimeout: Duration.decode(options.drainTimeout ?? "5 seconds"),
      statsInterval: Duration.decode(options.statsInterval ?? "10 seconds")
    }
  })

const millis = (d: Duration.Duration): number => {
  const ms = Duration.toMillis(d)
  return Number.isFinite(ms) ? Math.max(1, Math.round(ms)) : 0
}

/**
 * Node's `setTimeout` fires at once (after 1 ms) for a delay above
 * 2^31 - 1 ms, about 24.8 days; undici arms its keep-alive timer with it.
 */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A keep-alive duration for undici: at least 1 ms, at most (and for `infinity`) `MAX_TIMER_MS`. */
const timerMillis = (d: Duration.Duration): number => {
  const ms = Duration.toMillis(d)
  return Number.isFinite(ms) ? Math.min(MAX_TIMER_MS, Math.max(1, Math.round(ms))) : MAX_TIMER_MS
}

interface Counts {
  connected: number
  free: number
  pending: number
  queued: number
  running: number
  size: number
}

const add = (into: Map<string, Counts>, origin: string, s: Partial<Counts>) => {
  let c = into.get(origin)
  if (c === undefined) {
    c = { connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 }
    into.set(origin, c)
  }
  c.connected += s.connected ?? 0
  c.free += s.free ?? 0
  c.pending += s.pending ?? 0
  c.queued += s.queued ?? 0
  c.running += s.running ?? 0
  c.size += s.size ?? 0
}

/** The `origin` label of each origin, made once (a metric update under the same array costs no new label set). */
const originLabels = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
const label = (origin: string): ReadonlyArray<MetricLabel.MetricLabel> => {
  let labels = originLabels.get(origin)
  if (labels === undefined) {
    labels = [MetricLabel.make("origin", origin)]
    if (originLabels.size < 1024) originLabels.set(origin, labels)
  }
  return labels
}
const noLabels: ReadonlyArray<MetricLabel.MetricLabel> = []

/**
 * Builds the pool; its release closes every agent gracefully within
 * `drainTimeout`, then destroys what remains.
 *
 * @internal
 */
export const make = (options: Pool.Options): Effect.Effect<Pool.Service, InvalidPoolOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const s = yield* settings(options)
    const tls = yield* Tls.resolve(options.tls)
    const env = yield* Effect.orElseSucceed(Proxy.environment, () => ({
      httpProxy: undefined,
      httpsProxy: undefined,
      noProxy: undefined
    }))
    const proxy = Proxy.settings(options.proxy, env)
    if (typeof proxy === "string") return yield* new InvalidPoolOptions({ option: "proxy", reason: proxy })

    const connectTimeout = millis(s.connectTimeout)
    const common = {
      connections: s.connections === Infinity ? null : s.connections,
      pipelining: s.pipelining,
      keepAliveTimeout: timerMillis(s.keepAliveTimeout),
      keepAliveMaxTimeout: timerMillis(s.keepAliveMaxTimeout),
      // Effect owns time: the client's response and body idle timeouts abort
      // the request; undici's own timers are off.
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(options.allowH2 === true ? { allowH2: true } : {}),
      ...(options.maxConcurrentStreams === undefined ? {} : { maxConcurrentStreams: options.maxConcurrentStreams }),
      ...(s.maxResponseSize === undefined ? {} : { maxResponseSize: s.maxResponseSize })
    }
    const interceptors = options.interceptors ?? []
    const compose = (d: Dispatcher): Dispatcher => interceptors.length === 0 ? d : d.compose(...interceptors)

    const raw: Array<Dispatcher> = []
    // Every per-origin pool, for the release: `Agent.close()` clears the
    // agent's origin map at once (dispatcher/agent.js, kClose), so an
    // `Agent.destroy()` after a close that is still draining reaches no pool.
    const pools = new Set<UndiciPool>()
    // ProxyAgent does not expose its inner Agent's stats: its pools, by origin.
    const proxiedPools = new Map<UndiciPool, string>()
    // undici's Agent closes (then destroys) an origin's pool when its last
    // connection goes, and makes a new one at the next request: forget the
    // dead ones here, whether or not anyone reads the stats
    const newPool = (origin: string | URL, opts: object): UndiciPool => {
      for (const pool of pools) {
        if (pool.destroyed) {
          pools.delete(pool)
          proxiedPools.delete(pool)
        }
      }
      // each connection knows its exchange and its socket (connections.ts)
      const pool = new ConnectionPool(origin, opts)
      pools.add(pool)
      return pool
    }
    // Always a Pool per origin (Agent's default factory makes a Client for
    // connections: 1, whose stats have no `free`).
    // names: the user's lookup or resolver, the cache, happy eyeballs (internal/dns.ts)
    const names = yield* dns.resolve(options.dns, options.lookup, Dns.Resolver, () => Dns.system(), s.connectTimeout)
    const allowH2 = options.allowH2 ?? false
    const connectOptions = { ...tls.requests, ...names.options, timeout: connectTimeout, allowH2 }
    const direct = new Agent({
      ...common,
      factory: newPool,
      // the SSRF guard, when there is one, checks every direct connection,
      // on the address the lookup answered (internal/guard.ts)
      connect: options.allowAddress === undefined && names.lookup === undefined
        ? connectOptions
        : guardedConnector(connectOptions, options.allowAddress, names.lookup)
    })
    raw.push(direct)
    const directRoute: Route = { dispatcher: compose(direct), proxy: undefined }

    const proxies = new Map<string, Route>()
    for (const url of [proxy.http, proxy.https]) {
      if (url === undefined || proxies.has(url.href)) continue
      const agent = new ProxyAgent({
        ...common,
        uri: url.href,
        factory: (origin, opts) => {
          const pool = newPool(origin, opts)
          proxiedPools.set(pool, new URL(String(origin)).origin)
          return pool
        },
        requestTls: { ...tls.requests, timeout: connectTimeout },
        proxyTls: { ...tls.proxy, timeout: connectTimeout }
      })
      raw.push(agent)
      proxies.set(url.href, { dispatcher: compose(agent), proxy: Proxy.info(url) })
    }

    const routes = new Map<string, Route>()
    const route = proxies.size === 0
      ? () => directRoute
      : (url: URL): Route => {
        const key = url.origin
        let r = routes.get(key)
        if (r === undefined) {
          const via = Proxy.select(proxy, url)
          r = via === undefined ? directRoute : proxies.get(via.href)!
          if (routes.size >= 1024) routes.clear()
          routes.set(key, r)
        }
        return r
      }

    const counts = (): Map<string, Counts> => {
      const out = new Map<string, Counts>()
      for (const [origin, stats] of Object.entries(direct.stats)) add(out, origin, stats as Partial<Counts>)
      for (const [pool, origin] of proxiedPools) {
        if (pool.closed || pool.destroyed) proxiedPools.delete(pool)
        else add(out, origin, pool.stats)
      }
      return out
    }

    const engine: Engine = {
      route,
      direct: directRoute,
      fallbackToDirect: proxy.fallbackToDirect,
      pipelining: s.pipelining,
      maxResponseSize: s.maxResponseSize,
      connections: s.connections,
      onResend: (reason, url) => {
        if (reason === "stale-socket") updateMetric(Metrics.staleRetries, 1, label(url.origin))
        else if (reason === "proxy-fallback") updateMetric(Metrics.proxyFallbacks, 1, noLabels)
      }
    }

    const reported = new Set<string>()
    const publish = (all: Map<string, Counts>) => {
      for (const origin of reported) {
        if (!all.has(origin)) add(all, origin, {})
      }
      for (const [origin, c] of all) {
        reported.add(origin)
        const labels = label(origin)
        updateMetric(Metrics.connected, c.connected, labels)
        updateMetric(Metrics.free, c.free, labels)
        updateMetric(Metrics.pending, c.pending, labels)
        updateMetric(Metrics.running, c.running, labels)
        updateMetric(Metrics.size, c.size, labels)
      }
    }

    const stats: Effect.Effect<ReadonlyArray<Pool.Stats>> = Effect.sync(() => {
      const all = counts()
      const out: Array<Pool.Stats> = []
      for (const [origin, c] of all) out.push({ origin, ...c })
      publish(all)
      return out
    })

    // Finalizers run uninterruptibly, and Effect.timeout waits for an
    // uninterruptible effect to finish: the close must be made interruptible
    // for the drain bound to hold.
    yield* Effect.addFinalizer(() =>
      Effect.interruptible(Effect.tryPromise(() => Promise.all(raw.map((d) => d.close())))).pipe(
        Effect.timeout(s.drainTimeout),
        Effect.catchAll(() =>
          Effect.ignore(
            Effect.tryPromise(() => Promise.all([...raw, ...pools].map((d) => d.destroy())))
          )
        ),
        Effect.zipRight(Effect.sync(() => publish(new Map())))
      )
    )

    if (Duration.isFinite(s.statsInterval) && Duration.toMillis(s.statsInterval) > 0) {
      yield* Effect.forkScoped(Effect.repeat(stats, Schedule.spaced(s.statsInterval)))
    }

    const service: Pool.Service & { readonly [EngineKey]: Engine } = {
      settings: s,
      proxy,
      dispatcherFor: (url) => route(typeof url === "string" ? new URL(url) : url).dispatcher,
      proxyFor: (url) => route(url).proxy,
      stats,
      [EngineKey]: engine
    }
    return service
  })
