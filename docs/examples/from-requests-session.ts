/**
 * "Coming from requests": a reusable client class around a `Session`, with
 * a base url, a token and a pool size, as an Effect service over one
 * NodeClient layer. Run against a FaultServer that echoes the requests.
 */
// region: session
// class Hub:
//     def __init__(self, token, base="https://hub.example.com"):
//         self.base = base
//         self.session = requests.Session()
//         self.session.headers["Authorization"] = f"Bearer {token}"
//         self.session.mount("https://", HTTPAdapter(pool_maxsize=20, max_retries=Retry(total=3)))
//     def user(self, name):
//         r = self.session.get(f"{self.base}/users/{name}", timeout=10)
//         r.raise_for_status()
//         return r.json()
import { HttpClientRequest } from "@effect/platform"
import { Auth, Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Config, Effect, Layer, Schema } from "effect"

const User = Schema.Struct({ login: Schema.String })

export class Hub extends Effect.Service<Hub>()("Hub", {
  effect: Effect.gen(function*() {
    const token = yield* Config.redacted("HUB_TOKEN") // Redacted: never printed
    // session.headers["Authorization"]: the client's auth, for every request to its base url
    const client = Client.withAuth(yield* Client.Client, Auth.bearer(token))
    return {
      user: (name: string) => client.json(HttpClientRequest.get(`/users/${name}`), User)
    }
  })
}) {}

// the Session: one pool (20 connections per origin), the base url, 3 retries, 10 s timeouts
export const HubLive = Hub.Default.pipe(
  Layer.provide(NodeClient.layerConfig({ // STEADFAST_BASE_URL, STEADFAST_RETRIES, … from the environment
    overrides: { pool: { connections: 20 }, retry: { retries: 3 }, timeouts: { response: "10 seconds" } }
  }))
)
// endregion

import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { ConfigProvider } from "effect"
import * as assert from "node:assert"

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const env = ConfigProvider.fromMap(
    new Map([["STEADFAST_BASE_URL", server.urls.http], ["STEADFAST_PROXY", "none"], ["HUB_TOKEN", "t0k3n"]]),
    { pathDelim: "_" }
  )
  yield* Effect.gen(function*() {
    const hub = yield* Hub
    const users = yield* Effect.forEach(["ada", "grace"], hub.user, { concurrency: 2 })
    assert.deepStrictEqual(users, [{ login: "ada" }, { login: "grace" }])
    // every request carried the token (records show that it was there, never its value)
    const attempts = yield* server.attempts
    assert.deepStrictEqual(attempts.map((a) => a.headers["authorization"]), ["<redacted>", "<redacted>"])
  }).pipe(Effect.provide(HubLive), Effect.withConfigProvider(env))
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /users/ada": [Reply.json(200, { login: "ada" })],
    "GET /users/grace": [Reply.json(200, { login: "grace" })]
  })))
)
