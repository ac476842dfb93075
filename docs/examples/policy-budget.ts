/**
 * The retry budget, on by default: an origin that answers every request with
 * 503 gets 1.5 requests per request here instead of 4. Exact under virtual
 * time, so this example checks the network's own count.
 */
import { HttpClientRequest } from "@effect/platform"
import { Budget, Client, type Errors, Retry } from "@steadfast/core"
import { Fault, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Either, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: default
// nothing to configure: every client has a budget of 20% of recent requests plus 10 retries per second
const fetchAll = Effect.forEach(
  Array.from({ length: 100 }, () => HttpClientRequest.get("https://api.example.test/busy")),
  (request) => Effect.either(Client.text(request)),
  { concurrency: "unbounded" }
)

// a refused retry ends the request with its last error, marked
const refusedByBudget = (results: ReadonlyArray<Either.Either<string, Errors.HttpError>>) =>
  results.filter((r) => Either.isLeft(r) && r.left.retryRefused === "budget").length
// endregion

// region: options
// one budget shared by every client built with this layer
const SharedBudgetLive = Budget.layer({ ratio: 0.1, minPerSecond: 5, window: "30 seconds" })

// a policy with its own budget, or with none (every retry the policy allows is made)
const strict = Retry.policy({ budget: Budget.make({ ratio: 0.05 }) })
const unbounded = Retry.policy({ budget: Retry.unlimited })
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /busy": Scenario.sequence([Fault.status(503)], { after: "repeat-last" })
}))

// retries after exactly 1, 2 and 4 seconds, so the count below is exact
const ClientLive = Client.layer({ retry: { retries: 3, backoff: { base: "1 second", jitter: "none" } } })

export const program = Effect.gen(function*() {
  const fiber = yield* Effect.fork(fetchAll)
  yield* TestClock.adjust("1 minute")
  const results = yield* Fiber.join(fiber)
  const net = yield* SimulatedNetwork.SimulatedNetwork
  // 100 requests and 50 retries (30 at once: 100 × 0.2 + the floor's 10; then 10 and 10 as the floor refills)
  assert.strictEqual((yield* net.attempts("GET /busy")).length, 150)
  assert.strictEqual(refusedByBudget(results), 90)
  // the other forms build too
  yield* Layer.build(SharedBudgetLive).pipe(Effect.scoped)
  assert.ok(strict.budget !== undefined && unbounded.budget === Retry.unlimited)
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provideMerge(network))),
  Effect.provide(TestContext.TestContext)
)
