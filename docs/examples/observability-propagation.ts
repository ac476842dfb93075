/**
 * Where trace context goes: the formats, the origins, and how to turn it off
 * for one client or one request. The simulated network records the headers
 * each request carried.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Layer, TestContext } from "effect"
import * as assert from "node:assert"

// region: options
// W3C and B3 (for a mesh that reads only B3), to our own services only
const ClientLive = Client.layer({
  propagation: {
    formats: ["w3c", "b3"],
    origins: ["https://stock.example.test", "https://billing.example.test"]
  }
})
// endregion

// region: per-request
const quietly = Effect.gen(function*() {
  const client = yield* Client.Client
  // one client without trace headers…
  const untraced = Client.withOptions(client, { propagation: false })
  yield* untraced.json(HttpClientRequest.get("https://stock.example.test/health"))
  // …or one effect, with the platform's own switch
  yield* Effect.locally(
    client.json(HttpClientRequest.get("https://stock.example.test/health")),
    HttpClient.currentTracerPropagation,
    false
  )
})
// endregion

const network = SimulatedNetwork.layer(
  Scenario.make({ "/*": Scenario.sequence([Reply.json(200, {})], { after: "repeat-last" }) })
)

export const program = Effect.gen(function*() {
  yield* Client.json(HttpClientRequest.get("https://stock.example.test/items")).pipe(Effect.withSpan("order"))
  yield* Client.json(HttpClientRequest.get("https://tracker.example.test/ping")).pipe(Effect.withSpan("order"))
  yield* quietly.pipe(Effect.withSpan("order"))
  const net = yield* SimulatedNetwork.SimulatedNetwork
  const sent = (yield* net.attempts()).map((a) => [
    new URL(a.url).host,
    a.headers["traceparent"] !== undefined,
    a.headers["b3"] !== undefined
  ])
  assert.deepStrictEqual(sent, [
    ["stock.example.test", true, true],
    ["tracker.example.test", false, false], // not listed
    ["stock.example.test", false, false], // propagation: false
    ["stock.example.test", false, false] // currentTracerPropagation = false
  ])
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provideMerge(network))),
  Effect.provide(TestContext.TestContext)
)
