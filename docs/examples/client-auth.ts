/**
 * "A client with a base URL and a bearer token", over the node pool and over
 * fetch: the application's code names paths only, the client adds where,
 * as whom and in which format. Run here against a local server that
 * records what it received, then a token refreshed between retries on the
 * simulated network (TestClock).
 */
// region: layers
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { Auth, Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Config, type Duration, Effect, Layer, type Redacted, Schema } from "effect"

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })

// the application's code: a path; the client knows the rest
export const getUser = (id: number) => Client.json(HttpClientRequest.get(`/users/${id}`), User)

// what every request of this client carries
const settings = (baseUrl: string, token: Redacted.Redacted) => ({
  baseUrl,
  auth: Auth.bearer(token), // Authorization: Bearer …, to the base url's origin only
  headers: { accept: "application/json", "user-agent": "reports/1.0" }
})

// Node: the undici pool, configured from API_URL and API_TOKEN
export const ApiLive = Layer.unwrapEffect(
  Effect.map(
    Config.all({ url: Config.string("API_URL"), token: Config.redacted("API_TOKEN") }),
    ({ token, url }) => NodeClient.layer(settings(url, token))
  )
)

// fetch: browsers, Deno, Bun, workers — the same options
export const ApiFetch = (baseUrl: string, token: Redacted.Redacted) =>
  Client.layer(settings(baseUrl, token)).pipe(Layer.provide(FetchHttpClient.layer))
// endregion

// region: refresh
// a token that expires: fetched again once it is older than its lifetime. Auth.bearer runs this Effect
// before every attempt, so a retry after the token expired sends the new one.
export const refreshingClient = (
  fetchToken: Effect.Effect<string, TokenUnavailable>,
  lifetime: Duration.DurationInput
) =>
  Effect.gen(function*() {
    const token = yield* Effect.cachedWithTTL(fetchToken, lifetime)
    return Client.withAuth(yield* Client.Client, Auth.bearer(token))
  })

export class TokenUnavailable extends Schema.TaggedError<TokenUnavailable>()("TokenUnavailable", {}) {}
// endregion

import { Fault, Reply, SimulatedNetwork } from "@steadfast/testkit"
import { ConfigProvider, Fiber, Redacted as R, Ref, TestClock, TestContext } from "effect"
import * as assert from "node:assert"
import * as http from "node:http"
import type * as net from "node:net"

const SECRET = "s3cr3t-api-token"

/** A local server that records the Authorization and Accept of each request, and answers 401 for /users/401. */
const server = Effect.acquireRelease(
  Effect.async<{ readonly server: http.Server; readonly url: string; readonly seen: Array<ReadonlyArray<unknown>> }>(
    (resume) => {
      const seen: Array<ReadonlyArray<unknown>> = []
      const srv = http.createServer((req, res) => {
        seen.push([req.url, req.headers.authorization, req.headers.accept])
        res.statusCode = req.url?.endsWith("/401") === true ? 401 : 200
        res.setHeader("content-type", "application/json")
        res.end(JSON.stringify({ id: 1, name: "Ada" }))
      })
      srv.listen(0, "127.0.0.1", () => {
        const port = (srv.address() as net.AddressInfo).port
        resume(Effect.succeed({ server: srv, url: `http://127.0.0.1:${port}/api`, seen }))
      })
    }
  ),
  ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
)

const onSockets = Effect.scoped(Effect.gen(function*() {
  const { seen, url } = yield* server
  const env = ConfigProvider.fromMap(new Map([["API_URL", url], ["API_TOKEN", SECRET]]))
  // over the node pool
  const user = yield* getUser(1).pipe(Effect.provide(ApiLive), Effect.withConfigProvider(env))
  assert.deepStrictEqual(user, { id: 1, name: "Ada" })
  // over fetch
  const viaFetch = yield* getUser(1).pipe(Effect.provide(ApiFetch(url, R.make(SECRET))))
  assert.deepStrictEqual(viaFetch, { id: 1, name: "Ada" })
  // a refusal names the request, never the token
  const denied = yield* Effect.flip(getUser(401).pipe(Effect.provide(ApiFetch(url, R.make(SECRET)))))
  assert.ok(denied._tag === "StatusError" && denied.status === 401)
  for (const text of [denied.message, String(denied), JSON.stringify(denied)]) assert.ok(!text.includes(SECRET))
  // what the server received
  assert.deepStrictEqual(seen, [
    ["/api/users/1", `Bearer ${SECRET}`, "application/json"],
    ["/api/users/1", `Bearer ${SECRET}`, "application/json"],
    ["/api/users/401", `Bearer ${SECRET}`, "application/json"]
  ])
}))

const refreshed = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  yield* net.script("GET /users/1", [Fault.status(503), Reply.json(200, { id: 1, name: "Ada" })])
  const issued = yield* Ref.make(0)
  const fetchToken = Effect.map(Ref.updateAndGet(issued, (n) => n + 1), (n) => `token-${n}`)
  const client = yield* refreshingClient(fetchToken, "1 second")
  const fiber = yield* Effect.fork(client.json(HttpClientRequest.get("/users/1"), User))
  yield* TestClock.adjust("1 minute")
  yield* Fiber.join(fiber)
  // the retry waited 2 seconds: longer than the token lives, so it went with a new one
  const sent = (yield* net.attempts("GET /users/1")).map((a) => a.fingerprints["authorization"])
  assert.deepStrictEqual(sent, [
    SimulatedNetwork.fingerprint("Bearer token-1"),
    SimulatedNetwork.fingerprint("Bearer token-2")
  ])
}).pipe(
  Effect.provide(
    Client.layer({ baseUrl: "https://api.test", retry: { backoff: { base: "2 seconds", jitter: "none" } } }).pipe(
      Layer.provideMerge(SimulatedNetwork.layer())
    )
  ),
  Effect.provide(TestContext.TestContext)
)

export const program = Effect.gen(function*() {
  yield* onSockets
  yield* refreshed
})
