/**
 * What the client decided, on success too: `Client.withHistory` returns the
 * value with every attempt, the decision taken after it and why.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: history
const getItems = Effect.gen(function*() {
  const [items, history] = yield* Client.withHistory(
    Client.json(HttpClientRequest.get("https://api.example.test/items"))
  )
  if (history.length > 1) {
    yield* Effect.logInfo(
      history.map((h) => `${h.tag}${h.status === undefined ? "" : ` ${h.status}`} -> ${h.decision ?? "done"}`).join(
        ", "
      )
    )
  }
  return { items, history }
})
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /items": [Fault.reset(), Fault.status(503), Reply.json(200, ["a"])]
}))
const ClientLive = Client.layer({ retry: { retries: 3, backoff: { base: "100 millis", jitter: "none" } } })

export const program = Effect.gen(function*() {
  const fiber = yield* Effect.fork(getItems)
  yield* TestClock.adjust("1 second")
  const { history, items } = yield* Fiber.join(fiber)
  assert.deepStrictEqual(items, ["a"])
  assert.deepStrictEqual(
    history.map((h) => [h.attempt, h.tag, h.status, h.decision, h.reason, h.delayMs]),
    [
      [1, "ConnectionReset", undefined, "retry", "policy", 100],
      [2, "StatusError", 503, "retry", "policy", 200],
      [3, "Success", 200, undefined, undefined, 0]
    ]
  )
}).pipe(Effect.provide(ClientLive.pipe(Layer.provide(network))), Effect.provide(TestContext.TestContext))
