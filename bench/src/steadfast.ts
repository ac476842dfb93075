/**
 * How the benchmark builds a steadfast client over a real undici pool sized
 * to the concurrency.
 *
 * Two paths, one switch (`PATH` below):
 * - `"node"`: `NodeClient.layer` from @steadfast/node: the core client over
 *   the node package's direct undici transport (what users get);
 * - `"stand-in"`: `Client.layer()` from @steadfast/core over the platform's
 *   `NodeHttpClient.makeUndici(agent)`, through core's generic
 *   `Transport.fromHttpClient` path (what any platform `HttpClient` gets).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { Client } from "@steadfast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Agent } from "undici"
import { nodeLayer } from "./steadfastNode.js"

/** SWITCH: which path the steadfast rows measure. */
const PATH: "node" | "stand-in" = "node"

const standInLayer = (concurrency: number, options: Client.Options): Layer.Layer<Client.Client> =>
  Client.layer(options).pipe(
    Layer.orDie,
    Layer.provide(
      Layer.scoped(
        HttpClient.HttpClient,
        Effect.map(
          Effect.acquireRelease(
            Effect.sync(() => new Agent({ connections: concurrency, keepAliveTimeout: 60_000 })),
            (agent) => Effect.promise(() => agent.close())
          ),
          NodeHttpClient.makeUndici
        )
      )
    )
  )

/** What the results say about the path measured. */
export const STEADFAST_PATH = PATH === "node"
  ? "`NodeClient.layer({ ...options, pool: { connections: c } })` from @steadfast/node: the core client over " +
    "the node package's direct undici transport"
  : "STAND-IN: `Client.layer()` from @steadfast/core over `NodeHttpClient.makeUndici(agent)` (core's generic " +
    "`Transport.fromHttpClient` path: a fiber per attempt, body read through `response.stream`), not the " +
    "@steadfast/node transport"

/** A steadfast client layer with its own pool of `concurrency` connections. */
export const layer = (concurrency: number, options: Client.Options): Layer.Layer<Client.Client> =>
  PATH === "node" ? nodeLayer(concurrency, options) : standInLayer(concurrency, options)

export { defaults, everythingOff } from "./steadfastNode.js"
