/**
 * Node's `tls.connect` builds a secure context from `ca`, `cert` and `key`
 * on every connection unless it is given one. Parsing a CA bundle costs
 * milliseconds of CPU (Node's ~140 roots with `includeDefaultCa`: about
 * 16 ms here, against 0.1 ms for the default context), on the event loop,
 * for each new connection: the pool builds its contexts once.
 *
 * it.scopedLive: real TLS handshakes; `tls.createSecureContext` is counted
 * (Node's `tls.connect` calls it through the module object).
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect } from "effect"
import tls from "node:tls"
import { buildClient, connectProxy } from "../helpers.js"

const scenario = Scenario.make({
  "GET /": Scenario.sequence([Fault.latency("50 millis", Reply.text(200, "hello"))], { after: "repeat-last" })
})

/** Counts the secure contexts Node builds while `effect` runs. */
const countContexts = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const original = tls.createSecureContext
      const counter = { count: 0, original }
      tls.createSecureContext = (options) => {
        counter.count++
        return original(options)
      }
      return counter
    }),
    (counter) => Effect.map(effect, (a) => [a, counter.count] as const),
    (counter) => Effect.sync(() => void (tls.createSecureContext = counter.original))
  )

describe("regression: one secure context per pool, not per connection", () => {
  it.scopedLive("eight new connections with a CA and Node's roots build no context", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { client } = yield* buildClient({ tls: { ca: server.ca, includeDefaultCa: true } })
      const [texts, built] = yield* countContexts(
        Effect.all(Array.from({ length: 8 }, () => client.text(HttpClientRequest.get(`${server.urls.https}/`))), {
          concurrency: "unbounded"
        })
      )
      expect(texts).toEqual(Array(8).fill("hello"))
      expect(yield* server.openSockets).toBe(8)
      expect(built).toBe(0)
    }))

  it.scopedLive("through a proxy too (the target's TLS inside the tunnel)", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const proxy = yield* connectProxy()
      const { client } = yield* buildClient({ tls: { ca: server.ca }, proxy: { url: proxy.url } })
      const [texts, built] = yield* countContexts(
        Effect.all(Array.from({ length: 4 }, () => client.text(HttpClientRequest.get(`${server.urls.https}/`))), {
          concurrency: "unbounded"
        })
      )
      expect(texts).toEqual(Array(4).fill("hello"))
      expect(proxy.tunnels()).toBe(4)
      expect(built).toBe(0)
    }))
})
