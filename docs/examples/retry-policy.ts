/**
 * Retry policies are data plus a Schedule: urllib3-style options for the
 * common cases, any Effect Schedule for the rest.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, Retry } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Layer, Schedule } from "effect"
import * as assert from "node:assert"

// region: policies
// like urllib3's Retry(total=5, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504])
const urllib3Like = Retry.policy({
  retries: 5,
  backoff: { base: "200 millis", factor: 2, cap: "10 seconds", jitter: "none" },
  statuses: [500, 502, 503, 504]
})

// AWS-style: full jitter, capped, and never longer than 20 s in all
const awsLike = Retry.policy({
  retries: 8,
  backoff: { base: "100 millis", cap: "20 seconds" },
  maxElapsed: "20 seconds"
})

// any Schedule composes: a fixed 50 ms pause, still limited to 3 retries
const steady = Retry.policy({ schedule: Schedule.spaced("50 millis"), retries: 3 })

// POST is not retried once it may have reached the server, unless it is safe:
const createOrder = (body: unknown) =>
  HttpClientRequest.post("https://shop.example.test/orders").pipe(
    HttpClientRequest.setHeader("Idempotency-Key", "order-7f3a"),
    HttpClientRequest.bodyUnsafeJson(body)
  )
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /flaky": Scenario.sequence([Fault.reset(), Fault.status(502), Reply.json(200, "ok")], { after: "repeat-last" }),
  "POST /orders": [Fault.reset(), Reply.json(201, { id: 7 })]
}))

export const program = Effect.gen(function*() {
  const client = yield* Client.Client
  const [value, history] = yield* Client.withHistory(
    Client.withRetry(client, steady).json(HttpClientRequest.get("https://shop.example.test/flaky"))
  )
  assert.strictEqual(value, "ok")
  // the reset and the 502 were each followed by the schedule's 50 ms pause
  assert.deepStrictEqual(history.slice(0, 2).map((r) => r.delayMs), [50, 50], "two pauses of 50 ms")
  assert.deepStrictEqual(yield* client.json(createOrder({ sku: "A-1" })), { id: 7 })
  assert.strictEqual(urllib3Like.enabled && awsLike.enabled, true)
}).pipe(Effect.provide(Client.layer({ retry: steady }).pipe(Layer.provide(network))))
