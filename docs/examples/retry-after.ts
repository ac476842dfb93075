/**
 * A 429 or 503 with Retry-After sets the next delay (never shorter than the
 * backoff); one longer than `retryAfterMax`, or past the deadline, fails at
 * once with the StatusError so the caller can decide. The wait is checked
 * under the TestClock with the testkit's `Assert.delays`.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Assert, Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: retry-after
const ClientLive = Client.layer({ retry: { retries: 3, retryAfterMax: "5 seconds" } })

const search = (q: string) =>
  Client.json(HttpClientRequest.get("https://search.example.test/q").pipe(HttpClientRequest.setUrlParam("q", q))).pipe(
    Effect.catchTag("StatusError", (e) =>
      e.status === 429 && e.retryAfterMs !== undefined
        ? Effect.fail(`rate limited for ${e.retryAfterMs / 1000} s, try later`)
        : Effect.fail(`search failed: ${e.status}`))
  )
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /q": [Fault.status(429, { retryAfter: 1 }), Reply.json(200, ["a"]), Fault.status(429, { retryAfter: 3600 })]
}))

export const program = Effect.gen(function*() {
  const first = yield* Effect.fork(search("effect"))
  yield* TestClock.adjust("1 second")
  assert.deepStrictEqual(yield* Fiber.join(first), ["a"])
  // the retry waited the second Retry-After asked for
  yield* Assert.delays("GET /q", ["1 second"])
  assert.strictEqual(yield* Effect.flip(search("again")), "rate limited for 3600 s, try later")
}).pipe(Effect.provide(ClientLive.pipe(Layer.provideMerge(network))), Effect.provide(TestContext.TestContext))
