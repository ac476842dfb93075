/**
 * A client with a `baseUrl` talks to its base origin only, under its base
 * path: an absolute url in disguise is refused before anything is sent.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Layer } from "effect"
import * as assert from "node:assert"

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /v1/users/1": Scenario.sequence([Reply.json(200, { id: 1 })], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  // region: pinned
  const api = yield* Client.Client // Client.layer({ baseUrl: "https://api.example.test/v1" })
  const withToken = (url: string) => HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken("s3cret"))

  // a path is joined under the base path
  const user = yield* api.json(withToken("/users/1"))
  assert.deepStrictEqual(user, { id: 1 })

  // anything that would leave the base origin or path fails, and sends nothing
  for (const url of ["https://evil.test/x", "//evil.test/x", "\\\\evil.test\\x", "../admin", "%2e%2e/admin"]) {
    const error = yield* Effect.flip(api.json(withToken(url)))
    assert.strictEqual(error._tag, "InvalidUrl")
  }
  // endregion
}).pipe(
  Effect.provide(Client.layer({ baseUrl: "https://api.example.test/v1" }).pipe(Layer.provide(network)))
)
