/**
 * Errors can be logged as they are: no rendering of them holds a secret.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Cause, Effect, Layer } from "effect"
import * as assert from "node:assert"
import * as util from "node:util"

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /orders": Scenario.sequence([Fault.refused()], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  // region: safe
  const request = HttpClientRequest.get("https://user:pa55@api.example.test/orders?access_token=t0ken").pipe(
    HttpClientRequest.bearerToken("s3cret")
  )
  const error = yield* Effect.flip(Client.json(request))

  for (
    const rendering of [error.message, JSON.stringify(error), util.inspect(error), Cause.pretty(Cause.fail(error))]
  ) {
    assert.ok(!/pa55|t0ken|s3cret/.test(rendering))
  }
  // the cause keeps what you debug with
  const cause = error.cause as { readonly name: string; readonly cause?: { readonly code?: string } }
  assert.strictEqual(cause.name, "RequestError")
  assert.strictEqual(cause.cause?.code, "ECONNREFUSED")
  // endregion
}).pipe(Effect.provide(Client.layer({ retry: { retries: 0 } }).pipe(Layer.provide(network))))
