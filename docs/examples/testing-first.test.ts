/**
 * A complete first test file: copy it to `test/items.test.ts` of a project
 * that depends on effect, @effect/platform, @steadfast/core,
 * @steadfast/testkit, vitest and @effect/vitest, and run `npx vitest`.
 * (The docs' own test run includes this file as it is.)
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import { Fault, Reply, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock } from "effect"

// the code under test: a GET that the resilient client retries
const getItems = Client.json(HttpClientRequest.get("https://api.example.test/items"))

// the client over the simulated network, a fresh one for each test
const TestLayer = Client.layer().pipe(Layer.provideMerge(SimulatedNetwork.layer()))

describe("getItems", () => {
  // it.effect runs the test under TestClock: time moves only when the test moves it
  it.effect("retries a reset and a 503, then returns the items", () =>
    Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      yield* net.script("GET /items", [Fault.reset(), Fault.status(503), Reply.json(200, ["a", "b"])])

      const fiber = yield* Effect.fork(getItems) // 1. start the code under test
      yield* TestClock.adjust("1 minute") //        2. move virtual time past every backoff
      const items = yield* Fiber.join(fiber) //     3. take the result

      expect(items).toEqual(["a", "b"])
      expect((yield* net.attempts("GET /items")).length).toBe(3)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("gives up on a 404 at once", () =>
    Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      yield* net.script("GET /items", Fault.status(404)) // one step: a second attempt would fail the test

      const fiber = yield* Effect.fork(Effect.flip(getItems))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)

      expect(error._tag).toBe("StatusError")
    }).pipe(Effect.provide(TestLayer)))
})
