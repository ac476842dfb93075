/**
 * Hedging: the first attempt is stuck on a slow replica; after 200 ms a
 * hedge goes out, answers in 50 ms and wins; the stuck attempt is cut off.
 * A POST is never hedged. Exact under virtual time, so this example checks
 * when the network saw each attempt and what the history says.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, Hedge } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: hedge
// a second attempt when the first has not answered in 200 ms; the first success wins
const hedge = Hedge.make({ delay: "200 millis", maxHedges: 1 })

const ClientLive = Client.layer({ policies: [hedge] })

// the history says which attempt won, and which one the hedge cut off
const lookup = Client.withHistory(Client.text(HttpClientRequest.get("https://catalog.example.test/items/42")))
// endregion

// region: options
// the delay from the latencies seen: the p95 of the last 100 successful attempts (200 ms until 20 were seen)
const adaptive = Hedge.make({ delay: { percentile: 0.95, fallback: "200 millis" }, maxHedges: 2 })

// a POST is hedged only with an Idempotency-Key header, or when the policy says it is safe
const searches = Hedge.make({ isSafe: (request) => new URL(request.url).pathname === "/search" })
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "* /items/42": Scenario.sequence([
    Fault.latency("3 seconds", Reply.text(200, "from the slow replica")),
    Fault.latency("50 millis", Reply.text(200, "item 42"))
  ], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  const fiber = yield* Effect.fork(lookup)
  yield* TestClock.adjust("1 second")
  const [body, history] = yield* Fiber.join(fiber)
  assert.strictEqual(body, "item 42")
  // the hedge went out at 200 ms and answered at 250 ms; the first attempt was aborted then
  assert.deepStrictEqual((yield* net.attempts("* /items/42")).map((a) => [a.at, a.endedAt, a.outcome._tag]), [
    [0, 250, "Aborted"],
    [200, 250, "Response"]
  ])
  assert.deepStrictEqual(history.map((h) => [h.attempt, h.tag, h.reason ?? "", h.hedged ?? false]), [
    [1, "Interrupted", "hedge-lost", false],
    [2, "Success", "", true]
  ])
  // a POST is not hedged: one attempt, however long it takes
  const post = yield* Effect.fork(Client.text(HttpClientRequest.post("https://catalog.example.test/items/42")))
  yield* TestClock.adjust("5 seconds")
  assert.strictEqual(yield* Fiber.join(post), "item 42")
  assert.strictEqual((yield* net.attempts("* /items/42")).length, 3)
  assert.deepStrictEqual([adaptive.name, searches.name], ["hedging", "hedging"])
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provideMerge(network))),
  Effect.provide(TestContext.TestContext)
)
