/**
 * Every request has a pool wait, connect, response, body idle and total
 * deadline by default. Change them per client, or per call by deriving a client.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, Timeouts } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Layer } from "effect"
import * as assert from "node:assert"

// region: configure
const ClientLive = Client.layer({
  timeouts: {
    pool: "5 seconds",
    connect: "2 seconds",
    response: "300 millis",
    bodyIdle: "5 seconds",
    deadline: "10 seconds"
  },
  retry: { retries: 0 }
})

const slowReport = Effect.gen(function*() {
  const client = yield* Client.Client
  // this endpoint is slow on purpose: give it more time, and no deadline
  const patient = Client.withTimeouts(client, { response: "2 seconds", deadline: Timeouts.off })
  return yield* patient.text(HttpClientRequest.get("https://reports.example.test/monthly"))
})
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /monthly": Scenario.sequence([Fault.latency("500 millis", Reply.text(200, "report"))], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  const client = yield* Client.Client
  const hurried = yield* Effect.flip(client.text(HttpClientRequest.get("https://reports.example.test/monthly")))
  assert.strictEqual(hurried._tag, "ResponseTimeout")
  assert.strictEqual(yield* slowReport, "report")
}).pipe(Effect.provide(ClientLive.pipe(Layer.provide(network))))
