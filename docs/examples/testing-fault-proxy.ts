/**
 * A Toxiproxy-like proxy in front of any server: degrade the link while the
 * test runs.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Client } from "@steadfast/core"
import { FaultProxy, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect, Layer } from "effect"
import * as assert from "node:assert"
import { Agent } from "undici"

// region: proxy
const test = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const proxy = yield* FaultProxy.make({ upstream: server.urls.http })
  const client = yield* Client.make({ retry: { retries: 0 }, timeouts: { response: "200 millis" } }).pipe(
    Effect.provide(Layer.succeed(HttpClient.HttpClient, NodeHttpClient.makeUndici(new Agent())))
  )
  const get = client.text(HttpClientRequest.get(`${proxy.url}/hello`))

  assert.strictEqual(yield* get, "hi") // a clean link

  yield* proxy.setToxic(FaultProxy.latency("500 millis")) // the response now takes half a second
  assert.strictEqual((yield* Effect.flip(get))._tag, "ResponseTimeout")

  yield* proxy.removeToxic("latency")
  yield* proxy.down // nothing listens any more
  assert.strictEqual((yield* Effect.flip(get))._tag, "ConnectionRefused")
}).pipe(
  Effect.scoped,
  Effect.provide(
    FaultServer.layer(
      Scenario.make({ "GET /hello": Scenario.sequence([Reply.text(200, "hi")], { after: "repeat-last" }) })
    )
  )
)
// endregion

export const program = test
