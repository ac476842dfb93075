/**
 * Redirects are followed by the client with the same rules on every
 * transport: a limit, loop detection, method rewriting, and credentials
 * dropped when the origin changes.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Layer } from "effect"
import * as assert from "node:assert"

// region: policy
const ClientLive = Client.layer({
  redirects: { max: 5, sensitiveHeaders: ["x-api-key"] }
})
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /download": Scenario.sequence([Fault.redirect(302, "/echo", "secondary")], { after: "repeat-last" }),
  "GET /echo": Scenario.sequence([Reply.echo()], { after: "repeat-last" }),
  "GET /a": Scenario.sequence([Fault.redirect(302, "/b")], { after: "repeat-last" }),
  "GET /b": Scenario.sequence([Fault.redirect(302, "/a")], { after: "repeat-last" })
}))

export const program = Effect.gen(function*() {
  const client = yield* Client.Client
  // region: cross-origin
  const echoed = yield* client.json(
    HttpClientRequest.get("https://files.example.test/download").pipe(
      HttpClientRequest.bearerToken("secret-token"),
      HttpClientRequest.setHeader("X-Api-Key", "k-123")
    )
  ) as Effect.Effect<{ readonly headers: Record<string, string> }>
  // the other origin never saw the credentials
  assert.strictEqual(echoed.headers["authorization"], undefined)
  assert.strictEqual(echoed.headers["x-api-key"], undefined)
  // endregion
  const loop = yield* Effect.flip(client.json(HttpClientRequest.get("https://files.example.test/a")))
  assert.strictEqual(loop._tag, "TooManyRedirects")
  assert.strictEqual(loop._tag === "TooManyRedirects" && loop.loop, true)
}).pipe(Effect.provide(ClientLive.pipe(Layer.provide(network))))
