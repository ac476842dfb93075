/**
 * The @steadfast/testkit README: a resilience test in memory, under virtual
 * time. In a test file, `test` is the body of an `it.effect` from
 * @effect/vitest (which provides the TestClock).
 */
// region: usage
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Reply, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock } from "effect"
import * as assert from "node:assert"

const test = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  yield* net.script("GET /items", [Fault.reset(), Fault.status(503), Reply.json(200, ["a"])])
  const fiber = yield* Effect.fork(Client.json(HttpClientRequest.get("https://api.test/items")))
  yield* TestClock.adjust("1 minute") // the backoff passes in virtual time
  assert.deepStrictEqual(yield* Fiber.join(fiber), ["a"])
  assert.strictEqual((yield* net.attempts("GET /items")).length, 3)
}).pipe(Effect.provide(Client.layer().pipe(Layer.provideMerge(SimulatedNetwork.layer()))))
// endregion

import { TestContext } from "effect"

export const program = test.pipe(Effect.provide(TestContext.TestContext))
