/**
 * "Coming from the plain @effect/platform client": the same call written
 * with the platform's combinators and with steadfast, run over the same
 * simulated network under the TestClock. A body cut off half-way is where
 * they part: the platform client retried the request, not the body.
 */
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, Schedule, Schema, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
const url = "https://api.example.test/users/1"

// region: platform
// the plain platform client: you assemble the policy, and the error type grows with it
const plain = Effect.gen(function*() {
  const client = (yield* HttpClient.HttpClient).pipe(
    HttpClient.filterStatusOk, // a status >= 300 becomes a ResponseError
    HttpClient.retryTransient({ times: 3, schedule: Schedule.exponential("100 millis") })
  )
  const response = yield* client.get(url).pipe(Effect.timeout("10 seconds")) // one limit for the whole call
  return yield* HttpClientResponse.schemaBodyJson(User)(response) // read after the retries
}) // Effect<User, RequestError | ResponseError | TimeoutException | ParseError, HttpClient>

// steadfast: the policy is the client's; the body is read and decoded inside the retried unit
const resilient = Client.json(HttpClientRequest.get(url), User) // Effect<User, HttpError, Client>
// endregion

const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.either(effect))
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

export const program = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  const cutThenOk = [
    Fault.resetMidBody(4, Reply.json(200, { id: 1, name: "Ada" })),
    Reply.json(200, { id: 1, name: "Ada" })
  ]

  yield* net.script("GET /users/1", cutThenOk)
  const fromPlain = yield* run(plain)
  assert.ok(fromPlain._tag === "Left" && fromPlain.left._tag === "ResponseError", "the cut body is not retried")

  yield* net.script("GET /users/1", cutThenOk)
  const fromResilient = yield* run(resilient)
  assert.ok(fromResilient._tag === "Right" && fromResilient.right.name === "Ada", "retried, then decoded")
}).pipe(
  Effect.provide(Client.layer().pipe(Layer.provideMerge(SimulatedNetwork.layer(Scenario.make({}))))),
  Effect.provide(TestContext.TestContext)
)
