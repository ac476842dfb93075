/**
 * The circuit breaker: after three failures in a row the origin gets no
 * request for 30 seconds, and callers get `CircuitOpen` at once — here
 * turned into a fallback. Exact under virtual time.
 */
import { HttpClientRequest } from "@effect/platform"
import { Breaker, Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, Schedule, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: breaker
const breaker = Breaker.make({ consecutiveFailures: 3, breakDuration: "30 seconds" })

const ClientLive = Client.layer({ retry: { retries: 0 }, policies: [breaker] })

// an open breaker fails fast, without sending: a good place for a fallback
const price = Client.json(HttpClientRequest.get("https://prices.example.test/eur")).pipe(
  Effect.catchTag("CircuitOpen", (e) => Effect.succeed({ cached: true, retryInMs: e.retryInMs }))
)
// endregion

// region: options
// a ratio instead of a count, a break that grows while probes fail, two probes to close it
const patient = Breaker.make({
  consecutiveFailures: Infinity,
  failureRatio: 0.25,
  window: "1 minute",
  minThroughput: 50,
  breakDuration: Schedule.exponential("2 seconds"),
  probes: 2
})

// the state, as an Effect: "closed" | "open" | "half-open", time to the next probe, counts
const report = Breaker.state(breaker, "https://prices.example.test")
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /eur": Scenario.sequence([Fault.status(503), Fault.status(503), Fault.status(503), Reply.json(200, 1.08)], {
    after: "repeat-last"
  })
}))

export const program = Effect.gen(function*() {
  const tenTimes = Effect.forEach(Array.from({ length: 10 }), () => Effect.either(price))
  const results = yield* tenTimes
  const net = yield* SimulatedNetwork.SimulatedNetwork
  // three 503s opened it; the other seven were answered from the fallback, not sent
  assert.strictEqual((yield* net.attempts("GET /eur")).length, 3)
  assert.deepStrictEqual(results.slice(3).map((r) => r._tag === "Right" && r.right), [
    ...Array(7).fill({ cached: true, retryInMs: 30_000 })
  ])
  assert.deepStrictEqual((yield* report).state, "open")
  // 30 s later a probe goes, succeeds, and the breaker closes
  const fiber = yield* Effect.fork(Effect.zipRight(Effect.sleep("30 seconds"), price))
  yield* TestClock.adjust("30 seconds")
  assert.strictEqual(yield* Fiber.join(fiber), 1.08)
  assert.strictEqual((yield* report).state, "closed")
  assert.strictEqual(patient.name, "circuit-breaker")
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provideMerge(network))),
  Effect.provide(TestContext.TestContext)
)
