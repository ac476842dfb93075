/**
 * The README's example. The functions say what they need (a `Client`); the
 * layer is provided once, at the application's edge, so every request shares
 * one pool. Run here against a local FaultServer: the test provides the same
 * layer with the server's url as the base url.
 */
// region: readme
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Effect, Schema } from "effect"

const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

// a function of the application: it needs a Client, and does not build one
export const getTodo = (id: number) =>
  Client.json(HttpClientRequest.get(`/todos/${id}`), Todo).pipe(
    Effect.catchTag("StatusError", (e) => Effect.fail(`server said ${e.status}`))
  )

// the application's edge: one pool, one policy, for every request of the program
export const HttpLive = (baseUrl: string) =>
  NodeClient.layer({ baseUrl, retry: { retries: 5 }, timeouts: { response: "10 seconds" } })

export const main = Effect.forEach([1, 2], getTodo).pipe(Effect.provide(HttpLive("https://api.example.com")))
// endregion

import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import * as assert from "node:assert"

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const app = Effect.gen(function*() {
    // 503, 503, then the todo: the default backoff (100 ms, full jitter) retries through it
    assert.deepStrictEqual(yield* getTodo(1), { id: 1, title: "write the README" })
    assert.strictEqual(yield* server.hits("GET /todos/1"), 3)
    // a 404 is not retried: the StatusError becomes the message the example builds
    assert.strictEqual(yield* Effect.flip(getTodo(2)), "server said 404")
  })
  yield* Effect.provide(app, HttpLive(server.urls.http))
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /todos/1": [Fault.status(503), Fault.status(503), Reply.json(200, { id: 1, title: "write the README" })],
    "GET /todos/2": [Fault.status(404)]
  })))
)
