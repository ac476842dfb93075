/**
 * A test written for Toxiproxy, with the Toxiproxy client for Node, run
 * against the fault proxy's Toxiproxy API: no Go binary, no container.
 */
import { FaultServer, Reply, Scenario, ToxiproxyApi } from "@steadfast/testkit"
import { Effect } from "effect"
import * as assert from "node:assert"
import { Toxiproxy } from "toxiproxy-node-client"

// region: client
const test = Effect.gen(function*() {
  const upstream = yield* FaultServer.FaultServer // any TCP service; here a FaultServer
  const api = yield* ToxiproxyApi.make({ port: 0 }) // the port Toxiproxy uses is 8474

  const toxiproxy = new Toxiproxy(api.url)
  const proxy = yield* Effect.promise(() =>
    toxiproxy.createProxy({ name: "api", listen: "127.0.0.1:0", upstream: new URL(upstream.urls.http).host })
  )
  const get = Effect.promise(() =>
    fetch(`http://${proxy.listen}/hello`).then((r) => r.text(), (e: Error) => `failed: ${e.message}`)
  )
  assert.strictEqual(yield* get, "hi")

  const reset = yield* Effect.promise(() =>
    proxy.addToxic({ name: "rst", type: "reset_peer", stream: "downstream", toxicity: 1, attributes: { timeout: 0 } })
  )
  assert.strictEqual(yield* get, "failed: fetch failed") // the connection is reset

  yield* Effect.promise(() => reset.remove())
  assert.strictEqual(yield* get, "hi")
}).pipe(
  Effect.scoped,
  Effect.provide(
    FaultServer.layer(
      Scenario.make({ "GET /hello": Scenario.sequence([Reply.text(200, "hi")], { after: "repeat-last" }) })
    )
  )
)
// endregion

export const program = test
