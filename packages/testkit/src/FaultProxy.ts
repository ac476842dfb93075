/**
 * A TCP proxy that degrades the connections through it, like Toxiproxy but
 * in process: put it between a client and any upstream (a FaultServer, your
 * own server) and add "toxics".
 *
 * The proxy listens on `127.0.0.1` (port 0) and opens one upstream connection
 * per client connection. Bytes are forwarded both ways; toxics act on one
 * direction each: `"upstream"` is client → server (the request),
 * `"downstream"` is server → client (the response), the default.
 *
 * | toxic | effect on its direction |
 * |---|---|
 * | `latency` | each chunk is held `latency` ± `jitter` after it arrived (order kept) |
 * | `bandwidth` | at most `bytesPerSecond`, in slices of 1/10 s |
 * | `slicer` | chunks are cut in slices of `averageSize` ± `sizeVariation` bytes, `delay` apart |
 * | `resetPeer` | `timeout` after the connection opened (or the toxic was added), the connection is reset: downstream, the client gets a RST; upstream, the server gets a RST and the client a FIN |
 * | `timeout` | data is dropped (not buffered) while the toxic is present; with a `timeout`, the connection is closed that long after it opened (or the toxic was added) |
 * | `limitData` | once `bytes` bytes have passed, the connection is closed (the remainder of the chunk is dropped) |
 * | `slowClose` | the close (FIN) is passed on `delay` after it arrived |
 *
 * `down()` makes the proxy refuse connections: it closes the listener (new
 * connects get a real `ECONNREFUSED`) and the connections it holds; `up()`
 * listens again on the same port.
 *
 * Each toxic has a `toxicity`: the probability that it applies to a given
 * connection. The draw for the n-th connection depends only on the proxy's
 * `seed`, the toxic's name and n, so a run is reproducible whatever the
 * timing. Latency jitter and slice sizes come from a PRNG seeded the same way.
 * Toxics can be set, replaced (same name) and removed while connections are
 * open; open connections see the change at once (a chunk held back by a
 * latency that is removed goes out immediately).
 *
 * Resets are mirrored: a RST from one side is passed on as a RST to the other.
 * Closing the scope (or `stop()`) destroys every connection and closes the
 * listener.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultProxy } from "@steadfast/testkit"
 *
 * const program = Effect.gen(function* () {
 *   const proxy = yield* FaultProxy.FaultProxy
 *   yield* proxy.setToxic(FaultProxy.latency("200 millis", { jitter: "50 millis" }))
 *   // requests to proxy.url now take 200 ± 50 ms longer
 * }).pipe(Effect.provide(FaultProxy.layer({ upstream: { host: "127.0.0.1", port: 8080 } })))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "@steadfast/core/line/Context"
import * as Effect from "@steadfast/core/line/Effect"
import * as Layer from "@steadfast/core/line/Layer"
import type * as Scope from "@steadfast/core/line/Scope"
import * as internal from "./internal/proxy/proxy.js"
import type { Toxic } from "./internal/proxy/toxic.js"
import type * as Timer from "./Timer.js"

/**
 * The toxics: `Toxic` (`Latency`, `Bandwidth`, `Slicer`, `ResetPeer`,
 * `Timeout`, `LimitData`, `SlowClose`, with their `ToxicCommon` fields and
 * `Direction`), their `ToxicOptions`, and a constructor for each
 * (`latency`, `bandwidth`, `slicer`, `resetPeer`, `timeout`, `limitData`,
 * `slowClose`).
 *
 * @since 0.1.0
 */
export * from "./internal/proxy/toxic.js"

/**
 * Where the proxy forwards to.
 *
 * @since 0.1.0
 */
export interface Upstream {
  readonly host: string
  readonly port: number
}

/**
 * Proxy options.
 *
 * @since 0.1.0
 */
export interface Options {
  /** `{ host, port }`, `"host:port"`, or a url with an explicit port (`"http://127.0.0.1:8080"`). */
  readonly upstream: Upstream | string
  /**
   * Where the proxy listens.
   * @default { host: "127.0.0.1", port: 0 } (a free port on loopback)
   */
  readonly listen?: { readonly host?: string; readonly port?: number }
  /**
   * Seed of the toxicity draws, jitter and slice sizes.
   * @default 0
   */
  readonly seed?: number
  /**
   * Toxics present from the start.
   * @default []
   */
  readonly toxics?: ReadonlyArray<Toxic>
  /**
   * What the toxics wait on and the log is stamped with: every latency,
   * bandwidth pause, slicer delay, slow close, `resetPeer` and `timeout`
   * deadline is one `timer.later` (see the `Timer` module). A test about a
   * delay passes a timer it runs by hand, and asserts the delays asked for
   * and what the peers received before and after each one ran.
   * @default Timer.real (the wall clock)
   */
  readonly timer?: Timer.Timer
}

/**
 * One accepted connection, as the proxy recorded it.
 *
 * @since 0.1.0
 */
export interface Connection {
  /** 0-based, in order of acceptance. */
  readonly index: number
  /** Time of acceptance, in whole epoch milliseconds, on the proxy's `timer` (the wall clock by default). */
  readonly at: number
  /** Names of the toxics that applied to it when it was accepted (by their toxicity draw). */
  readonly toxics: ReadonlyArray<string>
}

/**
 * A running proxy, for code outside Effect ({@link start}).
 *
 * @since 0.1.0
 */
export interface Handle {
  readonly host: string
  readonly port: number
  /** `http://<host>:<port>`: the proxy as a base url (use `https:` for a TLS upstream). */
  readonly url: string
  readonly upstream: Upstream
  /** Adds a toxic, or replaces the one with the same name. */
  readonly setToxic: (toxic: Toxic) => void
  /** Removes a toxic; false when there was none by that name. */
  readonly removeToxic: (name: string) => boolean
  readonly clearToxics: () => void
  readonly toxics: () => ReadonlyArray<Toxic>
  /** Refuses connections: closes the listener and every open connection. */
  readonly down: () => Promise<void>
  /** Listens again, on the same port. */
  readonly up: () => Promise<void>
  readonly isUp: () => boolean
  /** Every accepted connection, oldest first. */
  readonly connections: () => ReadonlyArray<Connection>
  /** Connections (client and upstream pair) not fully closed yet. */
  readonly openConnections: () => number
  /** Client and upstream sockets not closed yet. */
  readonly openSockets: () => number
  /** Destroys every connection and closes the listener. Idempotent. */
  readonly stop: () => Promise<void>
}

/**
 * The proxy as an Effect service.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly host: string
  readonly port: number
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly upstream: Upstream
  readonly setToxic: (toxic: Toxic) => Effect.Effect<void>
  readonly removeToxic: (name: string) => Effect.Effect<boolean>
  readonly clearToxics: Effect.Effect<void>
  readonly toxics: Effect.Effect<ReadonlyArray<Toxic>>
  readonly down: Effect.Effect<void>
  readonly up: Effect.Effect<void>
  readonly connections: Effect.Effect<ReadonlyArray<Connection>>
  readonly openConnections: Effect.Effect<number>
  readonly openSockets: Effect.Effect<number>
}

/**
 * The proxy service tag.
 *
 * @since 0.1.0
 */
export class FaultProxy extends Context.Tag("@steadfast/testkit/FaultProxy")<FaultProxy, Service>() {}

/**
 * Starts a proxy on 127.0.0.1 for code outside Effect; call `handle.stop()`
 * when done.
 *
 * @since 0.1.0
 */
export const start: (options: Options) => Promise<Handle> = internal.start

/**
 * Starts a proxy that stops when the scope closes.
 *
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => internal.start(options)),
      (handle) => Effect.promise(() => handle.stop())
    ),
    (handle): Service => ({
      host: handle.host,
      port: handle.port,
      url: handle.url,
      upstream: handle.upstream,
      setToxic: (toxic) => Effect.sync(() => handle.setToxic(toxic)),
      removeToxic: (name) => Effect.sync(() => handle.removeToxic(name)),
      clearToxics: Effect.sync(() => handle.clearToxics()),
      toxics: Effect.sync(() => handle.toxics()),
      down: Effect.promise(() => handle.down()),
      up: Effect.promise(() => handle.up()),
      connections: Effect.sync(() => handle.connections()),
      openConnections: Effect.sync(() => handle.openConnections()),
      openSockets: Effect.sync(() => handle.openSockets())
    })
  )

/**
 * A layer providing a {@link FaultProxy}, stopped when the layer's scope closes.
 *
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<FaultProxy> => Layer.scoped(FaultProxy, make(options))
