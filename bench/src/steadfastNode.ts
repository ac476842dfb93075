/**
 * steadfast over its node transport, on either Effect line: the client
 * layer with its own pool of `concurrency` connections, the two policies the
 * rows compare, and the client spec of a row. `steadfast.ts` adds the
 * Effect 3 stand-in path; the Effect line bench (`effectLine.ts`) builds its
 * Effect 4 rows from this file alone.
 */
import { Client, Redirects, Retry, Timeouts } from "@steadfast/core"
import { HttpClientRequest } from "@steadfast/core/line/http"
import { NodeClient } from "@steadfast/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type ClientSpec, effectInstance } from "./base.js"
import type { Shape } from "./load.js"

/** `NodeClient.layer` with a pool of `concurrency` connections (keep-alive), no proxy. */
export const nodeLayer = (concurrency: number, options: Client.Options): Layer.Layer<Client.Client> =>
  NodeClient.layer({
    ...options,
    pool: { connections: concurrency, keepAliveTimeout: "60 seconds" },
    proxy: { url: "none" }
  }).pipe(Layer.orDie)

/** The default policy: retries, all four timeouts, redirects, spans and metrics on. */
export const defaults: Client.Options = {}

/** Everything off: no retries, no timeouts, no redirects, no spans, no metrics. */
export const everythingOff: Client.Options = {
  retry: Retry.none,
  timeouts: {
    connect: Timeouts.off,
    response: Timeouts.off,
    bodyIdle: Timeouts.off,
    deadline: Timeouts.off
  },
  redirects: Redirects.none,
  spans: false,
  metrics: false
}

/** A steadfast row: `client.json(HttpClientRequest.get(url))` over the client of `layer`. */
export const steadfastClient = (
  layer: (concurrency: number, options: Client.Options) => Layer.Layer<Client.Client>,
  id: string,
  name: string,
  tracing: "on" | "off",
  options: Client.Options,
  what: string,
  shape: Shape = "workers"
): ClientSpec => ({
  id,
  name,
  tracing,
  shape,
  describe: `${what}; \`client.json(HttpClientRequest.get(url))\`${
    shape === "each" ? ", a fiber per request (`Effect.forEach`)" : ""
  }`,
  make: async (origin, concurrency) => {
    const url = `${origin}/`
    const send = Effect.flatMap(Client.Client, (client) => client.json(HttpClientRequest.get(url)))
    return effectInstance(layer(concurrency, options), send, concurrency, tracing, async () => {}, shape)
  }
})
