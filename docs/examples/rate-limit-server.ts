/**
 * Reading the server's rate-limit headers: the client waits when the server
 * says none remain, and fails at once with RateLimited when the wait is
 * longer than it may wait.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, RateLimit, RateLimitHeaders } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: learn
// no quota of our own: only what the server says (Retry-After, RateLimit, X-RateLimit-*)
const ClientLive = Client.layer().pipe(Layer.provide(RateLimit.layer({ maxWait: "30 seconds" })))

const search = (q: string) =>
  Client.json(HttpClientRequest.get("https://search.example.test/q").pipe(HttpClientRequest.setUrlParam("q", q))).pipe(
    Effect.catchTag("RateLimited", (e) => Effect.fail(`not sent: ${e.reason} limit, next slot in ${e.waitMs / 1000} s`))
  )
// endregion

// region: headers
// the same rules, as pure functions (for your own gateway, metrics, …)
const seen = RateLimitHeaders.read(200, {
  "ratelimit-policy": "\"default\";q=100;w=60",
  ratelimit: "\"default\";r=0;t=20"
}, 0)
// seen: { remaining: 0, resetMs: 20000, limit: 100, windowMs: 60000, retryAfterMs: undefined, source: "RateLimit" }

// GitHub sends a Unix time, most others seconds from now: told apart by magnitude
const now = Date.UTC(2025, 0, 1)
RateLimitHeaders.resetDelayMs(now / 1000 + 90, now) // 90000
RateLimitHeaders.resetDelayMs(90, now) // 90000
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /q": Scenario.sequence([
    // the first answer spends the window: the next request waits the 20 s for its reset
    Reply.json(200, ["a"], { "ratelimit-policy": "\"default\";q=100;w=60", ratelimit: "\"default\";r=0;t=20" }),
    Reply.json(200, ["b"]),
    // then the server asks for an hour: longer than the 30 s we may wait
    Fault.status(429, { retryAfter: 3600 })
  ], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  assert.deepStrictEqual(seen, {
    remaining: 0,
    resetMs: 20_000,
    limit: 100,
    windowMs: 60_000,
    retryAfterMs: undefined,
    source: "RateLimit"
  })
  assert.strictEqual(RateLimitHeaders.resetDelayMs(now / 1000 + 90, now), 90_000)
  assert.strictEqual(RateLimitHeaders.resetDelayMs(90, now), 90_000)

  assert.deepStrictEqual(yield* search("a"), ["a"])
  const second = yield* Effect.fork(search("b"))
  yield* TestClock.adjust("1 minute")
  assert.deepStrictEqual(yield* Fiber.join(second), ["b"])
  const net = yield* SimulatedNetwork.SimulatedNetwork
  assert.deepStrictEqual((yield* net.attempts("GET /q")).map((a) => a.at), [0, 20_000])

  // the 429 asks for an hour, past retryAfterMax: it fails at once, and the limiter remembers
  yield* Effect.either(search("c"))
  assert.strictEqual(yield* Effect.flip(search("d")), "not sent: server limit, next slot in 3600 s")
  assert.strictEqual((yield* net.attempts("GET /q")).length, 3)
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provideMerge(network))),
  Effect.provide(TestContext.TestContext)
)
