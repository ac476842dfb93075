/**
 * The same kind of scenario on real loopback sockets: the FaultServer plays
 * it with real resets and handshakes; its interceptor realises the faults
 * that happen before a connection exists.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Client } from "@steadfast/core"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect, Layer } from "effect"
import * as assert from "node:assert"
import { Agent } from "undici"

// region: server
const scenario = Scenario.make({
  "GET /items": [Fault.refused(), Fault.reset(), Reply.json(200, ["a"])],
  "GET /secure": [Fault.tls("self-signed")]
})

const test = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  // a platform HttpClient over an undici Agent that trusts the test CA and plays connection faults
  const transport = NodeHttpClient.makeUndici(new Agent({ connect: { ca: server.ca } }).compose(server.interceptor))
  const client = yield* Client.make({ retry: { retries: 3, backoff: { base: "10 millis" } } }).pipe(
    Effect.provide(Layer.succeed(HttpClient.HttpClient, transport))
  )

  assert.deepStrictEqual(yield* client.json(HttpClientRequest.get(`${server.urls.https}/items`)), ["a"])
  const tls = yield* Effect.flip(client.json(HttpClientRequest.get(`${server.urls.https}/secure`)))
  assert.strictEqual(tls._tag === "TlsError" && tls.reason, "self-signed")

  assert.strictEqual(yield* server.hits("GET /items"), 3)
  assert.deepStrictEqual(yield* server.exhausted, [])
}).pipe(Effect.scoped, Effect.provide(FaultServer.layer(scenario)))
// endregion

export const program = test
