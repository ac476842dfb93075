/**
 * The @steadfast/node README: the pool provided once, its options from the
 * environment. Run here against a local FaultServer, whose url the test puts
 * in STEADFAST_BASE_URL.
 */
// region: usage
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Effect, Schema } from "effect"

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })

const getUsers = Effect.forEach([1, 2], (id) => Client.json(HttpClientRequest.get(`/users/${id}`), User))

// one pool for the whole program; STEADFAST_BASE_URL, STEADFAST_RETRIES, … from the environment
const HttpLive = NodeClient.layerConfig({ overrides: { pool: { connections: 16 } } })

const main = getUsers.pipe(Effect.provide(HttpLive))
// endregion

import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { ConfigProvider } from "effect"
import * as assert from "node:assert"

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const env = ConfigProvider.fromMap(
    new Map([["STEADFAST_BASE_URL", server.urls.http], ["STEADFAST_PROXY", "none"]]),
    { pathDelim: "_" } // as the environment's provider reads STEADFAST_BASE_URL
  )
  const users = yield* Effect.withConfigProvider(main, env)
  // a reset connection first: the client retries it
  assert.deepStrictEqual(users, [{ id: 1, name: "Ada" }, { id: 2, name: "Grace" }])
  assert.strictEqual(yield* server.hits("GET /users/1"), 2)
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /users/1": [Fault.reset(), Reply.json(200, { id: 1, name: "Ada" })],
    "GET /users/2": [Reply.json(200, { id: 2, name: "Grace" })]
  })))
)
