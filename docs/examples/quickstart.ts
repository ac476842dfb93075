/**
 * The smallest useful program: a client with the default policy, a request,
 * a decoded body. The network is simulated here (the first attempt is reset,
 * the second answers), so the example runs anywhere; in production you
 * provide `NodeClient.layer()` from @steadfast/node instead.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Layer, Schema } from "effect"
import * as assert from "node:assert"

// region: usage
const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String, done: Schema.Boolean })

const getTodo = (id: number) =>
  Effect.gen(function*() {
    const client = yield* Client.Client
    return yield* client.json(HttpClientRequest.get(`/todos/${id}`), Todo)
  })

// one client for the whole app: default retries and timeouts, a base url
const ClientLive = Client.layer({ baseUrl: "https://api.example.test" })
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /todos/1": [Fault.reset(), Reply.json(200, { id: 1, title: "write docs", done: false })]
}))

export const program = getTodo(1).pipe(
  Effect.provide(ClientLive.pipe(Layer.provide(network))),
  Effect.tap((todo) => assert.deepStrictEqual(todo, { id: 1, title: "write docs", done: false }))
)
