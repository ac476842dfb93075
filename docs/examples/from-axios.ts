/**
 * "Coming from axios, got and ky": an instance with a base url, a timeout,
 * retries and a header, and the error handling around it. Run against a
 * local FaultServer that echoes what it received.
 */
// region: instance
// const api = axios.create({ baseURL, timeout: 10_000, headers: { "x-api-key": key } })
// axiosRetry(api, { retries: 3, retryDelay: axiosRetry.exponentialDelay })
// const { data } = await api.get<User>(`/users/${id}`) // a type you assert, not a check
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Effect, Schema } from "effect"

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })

// the instance: base url, headers, timeouts and retries (axios-retry, got's retry, ky's retry)
export const ApiLive = (baseUrl: string) =>
  NodeClient.layer({
    baseUrl,
    headers: { "x-api-key": "k-123" }, // a credential: sent to baseUrl's origin only, never printed
    timeouts: { response: "10 seconds" },
    retry: { retries: 3 }
  })

export const getUser = (id: number) => Client.json(HttpClientRequest.get(`/users/${id}`), User) // decoded: a wrong shape is a DecodeError
// endregion

// region: errors
// try { return (await api.get(`/users/${id}`)).data }
// catch (e) {
//   if (axios.isAxiosError(e) && e.response?.status === 404) return null
//   if (axios.isAxiosError(e) && e.code === "ECONNABORTED") return "timed out"
//   throw e
// }
export const findUser = (id: number) =>
  getUser(id).pipe(
    Effect.catchTag("StatusError", (e) => e.status === 404 ? Effect.succeed(null) : Effect.fail(e)),
    Effect.catchTags({
      ResponseTimeout: () => Effect.succeed("timed out"),
      DeadlineExceeded: () => Effect.succeed("timed out")
    })
  )
// endregion

import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import * as assert from "node:assert"

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  yield* Effect.gen(function*() {
    // a 503 first, retried; the header was sent with every attempt (an API key: redacted in records)
    assert.deepStrictEqual(yield* findUser(1), { id: 1, name: "Ada" })
    const attempts = (yield* server.attempts).filter((a) => a.route === "GET /users/1")
    assert.deepStrictEqual(attempts.map((a) => a.headers["x-api-key"]), ["<redacted>", "<redacted>"])
    assert.strictEqual(yield* findUser(2), null)
    // a body of the wrong shape: axios would hand it over as a User
    const wrong = yield* Effect.flip(findUser(3))
    assert.strictEqual(wrong._tag, "DecodeError")
  }).pipe(Effect.provide(ApiLive(server.urls.http)))
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /users/1": [Fault.status(503), Reply.json(200, { id: 1, name: "Ada" })],
    "GET /users/2": [Fault.status(404)],
    "GET /users/3": [Reply.json(200, { id: "3" })]
  })))
)
