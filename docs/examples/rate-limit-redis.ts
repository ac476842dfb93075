/**
 * Many replicas, one quota: the limiter's store in Redis, chosen by
 * configuration. Here two "replicas" are two clients with their own Redis
 * connections in one process; the docs test runs it with a real
 * redis-server (STEADFAST_RATE_LIMIT_REDIS_URL), and without that variable
 * the same code keeps its quota in memory.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import * as RateLimitRedis from "@steadfast/core/RateLimit/Redis"
import { Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Either, Layer } from "effect"
import * as assert from "node:assert"

// region: replicas
// STEADFAST_RATE_LIMIT_REDIS_URL=redis://redis.internal:6379   (unset: in memory, per process)
// STEADFAST_RATE_LIMIT_LIMIT=10 STEADFAST_RATE_LIMIT_WINDOW="1 minute" ...
const RateLimitLive = RateLimitRedis.layerConfig({
  // options from code win over the environment
  overrides: { limit: 10, window: "1 minute", burst: 10, maxWait: 0, onStoreFailure: "fail" }
})

const ClientLive = Client.layer().pipe(Layer.provide(RateLimitLive))
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /report": Scenario.sequence([Reply.json(200, {})], { after: "repeat-last" })
}))

/** One replica: its own client, limiter and Redis connection; sends ten requests at once. */
const replica = Effect.forEach(
  Array.from({ length: 10 }, () => HttpClientRequest.get("https://reports.example.test/report")),
  (request) => Effect.either(Client.json(request)),
  { concurrency: "unbounded" }
).pipe(
  Effect.map((results) => results.filter(Either.isRight).length),
  Effect.provide(ClientLive.pipe(Layer.provide(network)))
)

export const program = Effect.gen(function*() {
  const shared = process.env["STEADFAST_RATE_LIMIT_REDIS_URL"] !== undefined
  const first = yield* replica
  const second = yield* replica
  assert.strictEqual(first, 10)
  // one quota of 10 a minute for both replicas in Redis; in memory each replica has its own
  assert.strictEqual(second, shared ? 0 : 10)
})
