/**
 * Seeded chaos: 10% of attempts fail in various ways, the same way every run.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, Random, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: chaos
const flaky = Scenario.make({
  "GET /price": Scenario.chaos({
    seed: 42,
    faults: [
      { fault: Fault.reset(), rate: 0.04 },
      { fault: Fault.status(503), rate: 0.03 },
      { fault: Fault.hang(), rate: 0.02 },
      { fault: Fault.truncate(2, Reply.json(200, { p: 1 })), rate: 0.01 }
    ],
    otherwise: Reply.json(200, { p: 1 })
  })
})

const run = Effect.suspend(() =>
  Effect.gen(function*() {
    const client = yield* Client.Client
    const fiber = yield* Effect.fork(
      Effect.forEach(Array.from({ length: 200 }), () =>
        Effect.either(client.json(HttpClientRequest.get("https://shop.test/price"))), {
        concurrency: 20
      })
    )
    yield* TestClock.adjust("10 minutes")
    const results = yield* Fiber.join(fiber)
    const net = yield* SimulatedNetwork.SimulatedNetwork
    const timeline = yield* net.timeline
    return {
      failed: results.filter((r) =>
        r._tag === "Left"
      ).length,
      timeline: timeline.map(SimulatedNetwork.format)
    }
  }).pipe(
    Effect.provide(
      Client.layer({ timeouts: { response: "1 second" } }).pipe(Layer.provideMerge(SimulatedNetwork.layer(flaky)))
    ),
    Effect.withRandom(Random.make(7)), // seeds the backoff jitter too, afresh for each run
    Effect.provide(TestContext.TestContext)
  )
)
// endregion

export const program = Effect.gen(function*() {
  const first = yield* run
  const second = yield* run
  assert.deepStrictEqual(first.timeline, second.timeline) // identical, attempt by attempt
  assert.strictEqual(first.failed, 0) // every request got through with retries
  assert.ok(first.timeline.length > 200)
})
