/**
 * The README's example, run against a local FaultServer instead of a public
 * API: the server answers 503 twice, then the todo.
 */
// region: readme
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Effect, Schema } from "effect"

const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

export const getTodo = (baseUrl: string, id: number) =>
  Client.json(HttpClientRequest.get(`${baseUrl}/todos/${id}`), Todo).pipe(
    Effect.catchTag("StatusError", (e) => Effect.fail(`server said ${e.status}`)),
    Effect.provide(NodeClient.layer({ retry: { retries: 5 }, timeouts: { response: "10 seconds" } }))
  )
// endregion

import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import * as assert from "node:assert"

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  // 503, 503, then the todo: the default backoff (100 ms, full jitter) retries through it
  assert.deepStrictEqual(yield* getTodo(server.urls.http, 1), { id: 1, title: "write the README" })
  assert.strictEqual(yield* server.hits("GET /todos/1"), 3)
  // a 404 is not retried: the StatusError becomes the message the example builds
  assert.strictEqual(yield* Effect.flip(getTodo(server.urls.http, 2)), "server said 404")
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /todos/1": [Fault.status(503), Fault.status(503), Reply.json(200, { id: 1, title: "write the README" })],
    "GET /todos/2": [Fault.status(404)]
  })))
)
