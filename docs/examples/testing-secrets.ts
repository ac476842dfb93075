/**
 * Checking which secret was sent, without printing it.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Reply, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Layer, TestContext } from "effect"
import * as assert from "node:assert"

const token = "t0k3n-from-the-vault"
const getMe = Client.json(
  HttpClientRequest.get("https://api.example.test/me").pipe(HttpClientRequest.bearerToken(token))
)

// region: secrets
const test = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  yield* net.script("GET /me", Reply.json(200, { id: 1 }))
  yield* getMe

  const [attempt] = yield* net.attempts("GET /me")
  assert.strictEqual(attempt?.headers["authorization"], "<redacted>")
  assert.strictEqual(attempt?.fingerprints["authorization"], SimulatedNetwork.fingerprint(`Bearer ${token}`))
}).pipe(Effect.provide(Client.layer().pipe(Layer.provideMerge(SimulatedNetwork.layer()))))
// endregion

export const program = test.pipe(Effect.provide(TestContext.TestContext))
