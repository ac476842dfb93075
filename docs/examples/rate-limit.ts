/**
 * One process: pace requests to a quota per origin. The pacing is exact
 * under virtual time, so this example checks the instants the network saw.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, RateLimit } from "@steadfast/core"
import { Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: one-process
// 5 requests per second per origin, evenly paced (one every 200 ms);
// an attempt that would wait more than 10 s for its slot fails with RateLimited
const RateLimitLive = RateLimit.layer({ limit: 5, window: "1 second", maxWait: "10 seconds" })

const ClientLive = Client.layer().pipe(Layer.provide(RateLimitLive))

// ten at once: the limiter spreads them out
const fetchAll = Effect.forEach(
  Array.from({ length: 10 }, (_, i) => HttpClientRequest.get(`https://api.example.test/items/${i}`)),
  (request) => Client.json(request),
  { concurrency: "unbounded" }
)
// endregion

// region: burst
// a steady 100 per minute, but up to 10 back to back after a quiet spell
const Bursty = RateLimit.layer({ limit: 100, window: "1 minute", burst: 10 })

// 50 per window, the window starting with its first request
const Windowed = RateLimit.layer({ limit: 50, window: "10 seconds", algorithm: "fixed-window" })

// one quota per API key instead of per origin (hash secrets: keys appear in errors and in Redis)
const PerKey = RateLimit.layer({
  limit: 10,
  key: ({ url }) => `${url.origin} ${url.searchParams.get("tenant") ?? "-"}`
})
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /items/*": Scenario.sequence([Reply.json(200, {})], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  const fiber = yield* Effect.fork(fetchAll)
  yield* TestClock.adjust("1 minute")
  assert.strictEqual((yield* Fiber.join(fiber)).length, 10)
  const net = yield* SimulatedNetwork.SimulatedNetwork
  const starts = (yield* net.attempts("GET /items/*")).map((a) => a.at)
  assert.deepStrictEqual(starts, [0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800])
  // the other layers build too
  yield* Layer.build(Layer.mergeAll(Bursty, Windowed, PerKey)).pipe(Effect.scoped)
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provideMerge(network))),
  Effect.provide(TestContext.TestContext)
)
