/**
 * Policies composed: one list, applied in a fixed order whatever the order
 * of the list; and a request with other policies (a health check that must
 * reach the origin while the breaker keeps it closed to everyone else).
 * Exact under virtual time.
 */
import { HttpClientRequest } from "@effect/platform"
import { Breaker, Bulkhead, Client, Hedge } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Either, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: compose
const breaker = Breaker.make({ consecutiveFailures: 5, breakDuration: "10 seconds" })
const bulkhead = Bulkhead.make({ maxConcurrent: 16, maxQueue: 32 })
const hedge = Hedge.make({ delay: { percentile: 0.95, fallback: "300 millis" } })

// applied as rate limit -> retry budget -> breaker -> bulkhead -> hedging -> attempt, whatever the list's order
const ClientLive = Client.layer({ policies: [hedge, bulkhead, breaker] })

// one request with other policies: a health check that must reach the origin even when the breaker is open
const health = Effect.flatMap(
  Client.Client,
  (client) => Client.withPolicies(client, []).text(HttpClientRequest.get("https://orders.example.test/health"))
)
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /orders": Scenario.sequence([Fault.status(503)], { after: "repeat-last" }),
  "GET /health": Scenario.sequence([Reply.text(200, "degraded")], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  const orders = Effect.either(Client.text(HttpClientRequest.get("https://orders.example.test/orders")))
  // two calls, retried: their first five attempts fail with 503 and open the breaker; the next retry is refused
  const calls = yield* Effect.fork(Effect.all([orders, orders]))
  yield* TestClock.adjust("5 seconds")
  const [, second] = yield* Fiber.join(calls)
  assert.strictEqual(Either.isLeft(second) && second.left._tag, "CircuitOpen")
  const net = yield* SimulatedNetwork.SimulatedNetwork
  assert.strictEqual((yield* net.attempts("GET /orders")).length, 5)
  // the breaker keeps the origin closed to other requests; the health check without it goes through
  const refused = yield* Effect.either(Client.text(HttpClientRequest.get("https://orders.example.test/health")))
  assert.strictEqual(Either.isLeft(refused) && refused.left._tag, "CircuitOpen")
  assert.strictEqual(yield* health, "degraded")
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provideMerge(network))),
  Effect.provide(TestContext.TestContext)
)
