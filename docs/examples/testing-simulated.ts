/**
 * A resilience test in memory under virtual time: script the faults, run the
 * code under test, move the TestClock, assert on the attempts.
 * In a test file this is the body of an `it.effect(...)` from @effect/vitest.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Assert, Fault, Reply, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// the code under test
const getItems = Client.json(HttpClientRequest.get("https://api.example.test/items"))

// region: test
const test = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  yield* net.script("GET /items", [Fault.reset(), Fault.status(503, { retryAfter: 2 }), Reply.json(200, ["a"])])

  const fiber = yield* Effect.fork(getItems)
  yield* TestClock.adjust("1 minute") // virtual: the test takes milliseconds
  assert.deepStrictEqual(yield* Fiber.join(fiber), ["a"])

  yield* Assert.attempts("GET /items", 3)
  yield* Assert.outcomes("GET /items", ["ECONNRESET", 503, 200])
  // 100 ms of backoff, then the 2 s the server asked for
  yield* Assert.delays("GET /items", ["100 millis", "2 seconds"])
}).pipe(
  Effect.provide(
    Client.layer({ retry: { backoff: { jitter: "none" } } }).pipe(Layer.provideMerge(SimulatedNetwork.layer()))
  )
)
// endregion

export const program = test.pipe(Effect.provide(TestContext.TestContext))
