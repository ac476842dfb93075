/**
 * The bulkhead: at most two calls at once to the slow origin, two more
 * waiting; the fifth is refused at once with `BulkheadRejected` and takes
 * the fallback. Exact under virtual time, so this example checks when the
 * network saw each request.
 */
import { HttpClientRequest } from "@effect/platform"
import { Bulkhead, Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: bulkhead
const bulkhead = Bulkhead.make({ maxConcurrent: 2, maxQueue: 2, maxWait: "5 seconds" })

const ClientLive = Client.layer({ policies: [bulkhead] })

// a full bulkhead refuses at once, without sending: answer from a cache, or shed the work
const report = Client.text(HttpClientRequest.get("https://reports.example.test/daily")).pipe(
  Effect.catchTag("BulkheadRejected", (e) => Effect.succeed(`busy: ${e.inFlight} running, ${e.queued} queued`))
)

// the numbers, as an Effect (also the gauges steadfast_bulkhead_in_flight and steadfast_bulkhead_queued)
const numbers = Bulkhead.state(bulkhead, "https://reports.example.test")
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /daily": Scenario.sequence([Fault.latency("1 second", Reply.text(200, "report"))], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 5 }, () => report), { concurrency: "unbounded" }))
  yield* TestClock.adjust("0 millis")
  assert.deepStrictEqual(yield* numbers, {
    key: "https://reports.example.test",
    inFlight: 2,
    queued: 2,
    maxConcurrent: 2,
    maxQueue: 2
  })
  yield* TestClock.adjust("2 seconds")
  // two ran at once, the two queued ones when they ended; the fifth was refused and never sent
  assert.deepStrictEqual(yield* Fiber.join(fiber), [
    "report",
    "report",
    "report",
    "report",
    "busy: 2 running, 2 queued"
  ])
  assert.deepStrictEqual((yield* net.attempts("GET /daily")).map((a) => a.at), [0, 0, 1000, 1000])
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provideMerge(network))),
  Effect.provide(TestContext.TestContext)
)
