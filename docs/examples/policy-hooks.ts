/**
 * Per-attempt hooks: refresh a token after a 401 and number each attempt.
 * The hook changes what an attempt sends; whether to retry stays with the
 * client's retry policy (401 is listed in `retry.statuses` for that).
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, type Hooks } from "@steadfast/core"
import { Fault, Reply, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, Ref, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: hooks
// the token store of the application: a new token each time one is issued
const makeHooks = (issued: Ref.Ref<number>): Hooks.Hooks => ({
  // before each attempt: after a 401, get a new token; every attempt carries the current one and its number
  beforeAttempt: ({ attempt, previous, request }) =>
    Effect.gen(function*() {
      const n = previous?._tag === "StatusError" && previous.status === 401
        ? yield* Ref.updateAndGet(issued, (i) => i + 1)
        : yield* Ref.get(issued)
      return request.pipe(
        HttpClientRequest.bearerToken(`token-${n}`),
        HttpClientRequest.setHeader("x-attempt", String(attempt))
      )
    }),
  // after each attempt: observe (here, a Debug line); the client decides what comes next
  afterAttempt: ({ attempt, error, status }) => Effect.logDebug(`attempt ${attempt}: ${error?._tag ?? status}`)
})

const clientLayer = (issued: Ref.Ref<number>) =>
  Client.layer({ hooks: makeHooks(issued), retry: { statuses: [401, 503] } })
// endregion

export const program = Effect.gen(function*() {
  const issued = yield* Ref.make(1)
  yield* Effect.gen(function*() {
    const net = yield* SimulatedNetwork.SimulatedNetwork
    yield* net.script("GET /me", [Fault.status(401), Reply.json(200, { name: "Ada" })])
    const fiber = yield* Effect.fork(Client.json(HttpClientRequest.get("https://api.example.test/me")))
    yield* TestClock.adjust("1 minute")
    assert.deepStrictEqual(yield* Fiber.join(fiber), { name: "Ada" })
    // the 401 was answered with a new token on the retry; each attempt was numbered
    const attempts = yield* net.attempts("GET /me")
    assert.deepStrictEqual(attempts.map((a) => a.fingerprints["authorization"]), [
      SimulatedNetwork.fingerprint("Bearer token-1"),
      SimulatedNetwork.fingerprint("Bearer token-2")
    ])
    assert.deepStrictEqual(attempts.map((a) => a.headers["x-attempt"]), ["1", "2"])
  }).pipe(Effect.provide(clientLayer(issued).pipe(Layer.provideMerge(SimulatedNetwork.layer()))))
}).pipe(Effect.provide(TestContext.TestContext))
