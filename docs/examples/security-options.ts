/**
 * Options are checked when the client is built: a typed error, never a
 * limit silently off.
 */
import { HttpClient } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Effect, Layer } from "effect"
import * as assert from "node:assert"

export const program = Effect.gen(function*() {
  // region: invalid
  const error = yield* Effect.flip(
    Layer.build(Client.layer({ maxBodySize: Number("ten megabytes") }))
  )
  assert.strictEqual(error._tag, "InvalidOptions")
  assert.strictEqual(
    error.message,
    "steadfast: invalid option `maxBodySize`: NaN; expected an integer >= 0, or Infinity (no limit)."
  )
  // endregion
}).pipe(
  Effect.scoped,
  Effect.provide(Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.die("not used"))))
)
