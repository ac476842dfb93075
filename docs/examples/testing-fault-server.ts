/**
 * The same kind of scenario on real loopback sockets: the FaultServer plays
 * it with real resets and handshakes; its interceptor realises the faults
 * that happen before a connection exists.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Context, Effect, Layer } from "effect"
import * as assert from "node:assert"

// region: server
const scenario = Scenario.make({
  "GET /items": [Fault.refused(), Fault.reset(), Reply.json(200, ["a"])],
  "GET /secure": [Fault.tls("self-signed")]
})

const test = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  // the production client; its pool lives as long as this test's scope
  const context = yield* Layer.build(NodeClient.layer({
    retry: { retries: 3, backoff: { base: "10 millis" } },
    tls: { ca: server.ca }, // trust the server's test CA
    pool: { interceptors: [server.interceptor] }, // play the faults that come before a connection
    proxy: { url: "none" } // an HTTP_PROXY on the machine must not take part
  }))
  const client = Context.get(context, Client.Client)

  assert.deepStrictEqual(yield* client.json(HttpClientRequest.get(`${server.urls.https}/items`)), ["a"])
  const tls = yield* Effect.flip(client.json(HttpClientRequest.get(`${server.urls.https}/secure`)))
  assert.strictEqual(tls._tag === "TlsError" && tls.reason, "self-signed")

  assert.strictEqual(yield* server.hits("GET /items"), 3)
  assert.deepStrictEqual(yield* server.exhausted, [])
}).pipe(Effect.scoped, Effect.provide(FaultServer.layer(scenario)))
// endregion

export const program = test
