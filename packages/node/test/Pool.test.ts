/**
 * The pool as a scoped Layer: bounded, keep-alive, closed with its scope
 * (gracefully, within a bound), gauges that agree with undici's stats, and
 * options from Config.
 *
 * it.live: real sockets, and a graceful close that waits on them.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import * as ConfigProvider from "@steadfast/core/line/ConfigProvider"
import * as Effect from "@steadfast/core/line/Effect"
import * as Metric from "@steadfast/core/line/Metric"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Duration, Exit, Fiber, Layer, Scope } from "effect"
import { NodeClient, Pool } from "../src/index.js"
import { eventually, ok, rawServer } from "./helpers.js"

const scenario = Scenario.make({
  "GET /ok": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" }),
  "GET /slow": Scenario.sequence([Fault.latency("200 millis", Reply.text(200, "late"))], { after: "repeat-last" }),
  "GET /hang": Scenario.sequence([Fault.hang()], { after: "repeat-last" })
})

/** Builds the node layer in a scope of its own, which the test closes. */
const open = (options: NodeClient.Options) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(NodeClient.layer({ proxy: { url: "none" }, ...options }), scope)
    return {
      scope,
      client: Effect.runSync(Effect.provide(Client.Client, context)),
      pool: Effect.runSync(Effect.provide(Pool.Pool, context))
    }
  })

describe("Pool", () => {
  it.scopedLive("closing the Layer's scope closes every socket", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { client, pool, scope } = yield* open({})
      yield* Effect.all(
        Array.from({ length: 5 }, () => client.text(HttpClientRequest.get(`${server.urls.http}/slow`))),
        { concurrency: 5 }
      )
      yield* eventually("five idle connections", () => {
        const s = Effect.runSync(pool.stats).find((s) => s.origin === server.urls.http)
        return s?.connected === 5 && s.free === 5 && Effect.runSync(server.openSockets) === 5
      })
      yield* Scope.close(scope, Exit.void)
      yield* eventually("the server has no socket open", () => Effect.runSync(server.openSockets) === 0)
      // the gauges went back to zero
      const connected = yield* Metric.value(Metric.tagged(Pool.connected, "origin", server.urls.http))
      expect(connected.value).toBe(0)
    }))

  it.scopedLive("closing waits for in-flight requests, within drainTimeout", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const graceful = yield* open({ pool: { drainTimeout: "1 second" } })
      const slow = yield* Effect.fork(graceful.client.text(HttpClientRequest.get(`${server.urls.http}/slow`)))
      yield* eventually("the request is on a connection", () =>
        Effect.runSync(graceful.pool.stats).some((s) => s.running === 1))
      yield* Scope.close(graceful.scope, Exit.void)
      expect(yield* Fiber.join(slow)).toBe("late")

      const bounded = yield* open({ pool: { drainTimeout: "100 millis" }, retry: { retries: 0 } })
      const hung = yield* Effect.fork(
        Effect.either(bounded.client.text(HttpClientRequest.get(`${server.urls.http}/hang`)))
      )
      yield* eventually("the request is on a connection", () =>
        Effect.runSync(bounded.pool.stats).some((s) =>
          s.running === 1
        ))
      // the drain bound ends the close although the request never would: it is destroyed
      yield* Scope.close(bounded.scope, Exit.void)
      const result = yield* Fiber.join(hung)
      expect(result._tag === "Left" && [result.left._tag, result.left._tag === "TransportError" && result.left.reason])
        .toEqual(["TransportError", "closed"])
      yield* eventually("the server has no socket open", () =>
        Effect.runSync(server.openSockets) === 0)
    }))

  it.scopedLive("bounded per origin; the gauges agree with the stats", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { client, pool } = yield* open({ pool: { connections: 2 } })
      const fiber = yield* Effect.fork(Effect.all(
        Array.from({ length: 6 }, () => client.text(HttpClientRequest.get(`${server.urls.http}/slow`))),
        { concurrency: "unbounded" }
      ))
      yield* eventually("two running, four waiting", () => {
        const s = Effect.runSync(pool.stats).find((s) => s.origin === server.urls.http)
        return s?.running === 2 && s.pending === 4
      })
      const gauge = (metric: typeof Pool.running) =>
        Effect.map(Metric.value(Metric.tagged(metric, "origin", server.urls.http)), (s) => s.value)
      expect([yield* gauge(Pool.running), yield* gauge(Pool.pending), yield* gauge(Pool.connected)])
        .toEqual([2, 4, 2])
      expect(yield* Fiber.join(fiber)).toEqual(Array(6).fill("late"))
      expect(Effect.runSync(server.openSockets)).toBe(2)
    }))

  it.scopedLive("keepAlive: false opens a connection per request; pipelining shares one", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) => ok(socket))
      const closing = yield* open({ pool: { keepAlive: false } })
      for (let i = 0; i < 3; i++) yield* closing.client.text(HttpClientRequest.get(`${server.url}/`))
      expect(server.connections()).toBe(3)
      const piped = yield* open({ pool: { connections: 1, pipelining: 4 } })
      yield* Effect.all(
        Array.from({ length: 4 }, () => piped.client.text(HttpClientRequest.get(`${server.url}/`))),
        { concurrency: "unbounded" }
      )
      expect(server.connections()).toBe(4)
      yield* Scope.close(closing.scope, Exit.void)
      yield* Scope.close(piped.scope, Exit.void)
    }))

  it.scopedLive("options from Config (STEADFAST_POOL_*, STEADFAST_TLS_*, STEADFAST_PROXY)", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(NodeClient.layerConfig()).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["STEADFAST_POOL_CONNECTIONS", "7"],
            ["STEADFAST_POOL_KEEP_ALIVE_TIMEOUT", "1 second"],
            ["STEADFAST_TIMEOUT_CONNECT", "2 seconds"],
            ["STEADFAST_PROXY", "http://proxy.test:3128"],
            ["STEADFAST_PROXY_NO_PROXY", "skip.test"],
            ["STEADFAST_RETRIES", "1"]
          ]),
          { pathDelim: "_" }
        ))
      )
      const pool = yield* Effect.provide(Pool.Pool, context)
      expect(pool.settings.connections).toBe(7)
      expect(Duration.toMillis(pool.settings.keepAliveTimeout)).toBe(1000)
      // the undici backstop follows the client's connect timeout
      expect(Duration.toMillis(pool.settings.connectTimeout)).toBe(2000)
      expect(pool.proxyFor(new URL("http://api.test/"))?.host).toBe("proxy.test")
      expect(pool.proxyFor(new URL("http://skip.test/"))).toBeUndefined()
      const client = yield* Effect.provide(Client.Client, context)
      expect(client.settings.timeouts.connect).toEqual(Duration.seconds(2))
    }))

  it.scopedLive("unusable pool options fail the layer", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(NodeClient.layer({ pool: { connections: 0 } })))
      expect([error._tag, error.option]).toEqual(["InvalidPoolOptions", "connections"])
      const proxy = yield* Effect.flip(Layer.build(NodeClient.layer({ proxy: { url: "ftp://x:y@proxy" } })))
      expect(proxy.option).toBe("proxy")
      expect(proxy.message).not.toContain(":y@")
    }))
})
