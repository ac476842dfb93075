/**
 * Toxiproxy's HTTP API in front of fault proxies, so tests written for
 * Toxiproxy — in any language, with any Toxiproxy client — drive
 * `FaultProxy`s without the Go binary. Also the `steadfast-fault-proxy`
 * command of this package.
 *
 * @since 0.1.0
 */
import * as Effect from "@steadfast/core/line/Effect"
import type * as Scope from "@steadfast/core/line/Scope"
import type * as FaultProxy from "./FaultProxy.js"
import * as internal from "./internal/proxy/api.js"

/**
 * Options of the control API ({@link start}).
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * Where the API listens.
   * @default "127.0.0.1" (Toxiproxy's own default is `localhost`)
   */
  readonly host?: string
  /**
   * @default 8474 (Toxiproxy's port); 0 picks a free one
   */
  readonly port?: number
  /**
   * Proxies to create at start, in the JSON form of Toxiproxy's `/populate`
   * (and of its `-config` file): `[{ name, listen, upstream, enabled }]`.
   * @default []
   */
  readonly populate?: ReadonlyArray<{
    readonly name: string
    readonly upstream: string
    readonly listen?: string
    readonly enabled?: boolean
  }>
  /**
   * Seed of every proxy's toxicity draws, jitter and slice sizes.
   * @default 0
   */
  readonly seed?: number
}

/**
 * A running control API.
 *
 * @since 0.1.0
 */
export interface Handle {
  readonly host: string
  readonly port: number
  /** `http://host:port`: give it to a Toxiproxy client. */
  readonly url: string
  /** The proxy created under `name`, to check what happened on it (its connections, its sockets). */
  readonly proxy: (name: string) => FaultProxy.Handle | undefined
  /** Closes the API and every proxy it created. Idempotent. */
  readonly stop: () => Promise<void>
}

/**
 * Starts fault proxies (see `FaultProxy`) behind Toxiproxy's HTTP API: `/proxies` (list,
 * create, show, update, delete, enable and disable), `/proxies/{name}/toxics`
 * (`latency`, `bandwidth`, `slow_close`, `timeout`, `reset_peer`, `slicer`,
 * `limit_data`), `/populate`, `/reset` and `/version`, with Toxiproxy's JSON
 * shapes, status codes and units, so tests written for Toxiproxy — in any
 * language, with any Toxiproxy client — run against it. The command-line
 * form is the `steadfast-fault-proxy` bin of this package.
 *
 * Differences: a proxy created without `listen` listens on `127.0.0.1:0`
 * (Toxiproxy: every interface); toxicity is drawn per connection from the
 * seed (Toxiproxy: at random); `/metrics` is absent.
 *
 * @example
 * ```ts
 * import { ToxiproxyApi } from "@steadfast/testkit"
 * import { Toxiproxy } from "toxiproxy-node-client"
 *
 * const api = await ToxiproxyApi.start({ port: 0 })
 * const toxiproxy = new Toxiproxy(api.url)
 * const proxy = await toxiproxy.createProxy({ name: "db", listen: "127.0.0.1:0", upstream: "127.0.0.1:5432" })
 * await proxy.addToxic({ name: "slow", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 500, jitter: 0 } })
 * await api.stop()
 * ```
 *
 * @since 0.1.0
 */
export const start: (options?: Options) => Promise<Handle> = internal.startApi

/**
 * The control API as a scoped Effect: stopped, with its proxies, when the
 * scope closes (see {@link start}).
 *
 * @since 0.1.0
 */
export const make = (options?: Options): Effect.Effect<Handle, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => internal.startApi(options)),
    (handle) => Effect.promise(() => handle.stop())
  )
