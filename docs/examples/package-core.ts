/**
 * The @steadfast/core README: the client over @effect/platform's fetch
 * client. Run here against a local FaultServer: the test gives the fetch
 * client a `fetch` that sends api.example.com's requests there.
 */
// region: usage
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Effect, Layer, Schema } from "effect"

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })

const getUser = (id: number) => Client.json(HttpClientRequest.get(`https://api.example.com/users/${id}`), User)

// any @effect/platform HttpClient is a transport: here, the fetch API
const HttpLive = Client.layer({ retry: { retries: 3 } }).pipe(Layer.provide(FetchHttpClient.layer))

const main = getUser(1).pipe(Effect.provide(HttpLive))
// endregion

import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import * as assert from "node:assert"

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const toServer: typeof globalThis.fetch = (input, init) =>
    fetch(
      String(input instanceof Request ? input.url : input).replace("https://api.example.com", server.urls.http),
      init
    )
  // a 503 first: the client retries it
  assert.deepStrictEqual(yield* Effect.provideService(main, FetchHttpClient.Fetch, toServer), { id: 1, name: "Ada" })
  assert.strictEqual(yield* server.hits("GET /users/1"), 2)
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /users/1": [Fault.status(503), Reply.json(200, { id: 1, name: "Ada" })]
  })))
)
