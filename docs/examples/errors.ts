/**
 * Every failure is a tagged error: handle the kinds you care about, let the
 * others through, and read the attempt history when you need it.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, Errors } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Layer } from "effect"
import * as assert from "node:assert"

// region: catch
const fetchPrice = (sku: string) =>
  Client.json(HttpClientRequest.get(`https://prices.example.test/${sku}`)).pipe(
    // a missing product is an answer, not a failure
    Effect.catchTag("StatusError", (e) => e.status === 404 ? Effect.succeed(null) : Effect.fail(e)),
    // when the network is the problem, fall back to the cached price
    Effect.catchIf(Errors.isConnectionError, () => Effect.succeed({ price: 9.99, cached: true }))
  )
// endregion

// region: inspect
const explain = (error: Errors.HttpError) =>
  `${error._tag} after ${error.attempts} attempt(s): ` +
  error.history.map((h) => `${h.tag}${h.status === undefined ? "" : ` ${h.status}`} (+${h.delayMs} ms)`).join(", ")
// endregion

// region: why
// a POST reset after it went out is not retried: it may have reached the server
const createOrder = Client.json(
  HttpClientRequest.post("https://shop.example.test/orders").pipe(HttpClientRequest.bodyUnsafeJson({ sku: "a-1" }))
).pipe(
  Effect.tapError((e) => Effect.logWarning(Errors.notRetried(e) ?? e.message))
)
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "POST /orders": [Fault.reset(), Reply.json(201, {})],
  "GET /unknown": [Fault.status(404)],
  "GET /offline": Scenario.sequence([Fault.refused()], { after: "repeat-last" }),
  "GET /busy": Scenario.sequence([Fault.status(503)], { after: "repeat-last" })
}))
const ClientLive = Client.layer({ retry: { retries: 2, backoff: { base: "10 millis", jitter: "none" } } })

export const program = Effect.gen(function*() {
  assert.strictEqual(yield* fetchPrice("unknown"), null)
  assert.deepStrictEqual(yield* fetchPrice("offline"), { price: 9.99, cached: true })
  const busy = yield* Effect.flip(fetchPrice("busy"))
  assert.strictEqual(
    explain(busy),
    "StatusError after 3 attempt(s): StatusError 503 (+10 ms), StatusError 503 (+20 ms), StatusError 503 (+0 ms)"
  )
  assert.match(busy.message, /GET https:\/\/prices\.example\.test\/busy: the server answered 503 after 3 attempts/)
  const reset = yield* Effect.flip(createOrder)
  assert.strictEqual(
    Errors.notRetried(reset),
    "not retried: POST may have reached the server; add an Idempotency-Key header or set retry.retryNonIdempotent"
  )
  assert.deepStrictEqual(
    reset.history.map((h) => [h.tag, h.phase, h.decision, h.reason]),
    [["ConnectionReset", "written", "give-up", "not-idempotent"]]
  )
  assert.match(reset.message, /after 1 attempt\. .* Not retried: POST may have reached the server;/)
}).pipe(Effect.provide(ClientLive.pipe(Layer.provide(network))))
