/**
 * "Building a client for an API": a service for a small todo API — its base
 * url, a bearer token that is never printed, Schema-decoded responses, a
 * POST made safe to retry — and one layer per environment: the node pool in
 * production, the simulated network in tests, fetch in the browser. Each
 * layer is run here: the test one under the TestClock, the production and
 * browser ones (Node's own fetch) against a local FaultServer.
 */
// region: service
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { Auth, Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { SimulatedNetwork } from "@steadfast/testkit"
import { Config, Context, Effect, Layer, Redacted, Schema } from "effect"

export const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String, done: Schema.Boolean })

/** Where the API is and how to authenticate: from the environment, or given. */
export class TodosConfig extends Context.Tag("TodosConfig")<TodosConfig, {
  readonly baseUrl: URL
  readonly token: Redacted.Redacted // prints as <redacted>, in logs and errors alike
}>() {
  static readonly fromEnv = Layer.effect(
    TodosConfig,
    Config.all({ baseUrl: Config.url("TODOS_URL"), token: Config.redacted("TODOS_TOKEN") })
  )
}

export class Todos extends Effect.Service<Todos>()("Todos", {
  effect: Effect.gen(function*() {
    const { baseUrl, token } = yield* TodosConfig
    // the application's client (its pool and policies), with what every request of this API carries
    const client = Client.withOptions(yield* Client.Client, {
      baseUrl,
      auth: Auth.bearer(token), // to the base url's origin only, never printed
      headers: { accept: "application/json" }
    })
    return {
      get: (id: number) => client.json(HttpClientRequest.get(`/todos/${id}`), Todo),
      // one key per todo, kept across retries: the server creates it once, so a POST may be retried
      create: (title: string) =>
        Effect.flatMap(Effect.sync(() => crypto.randomUUID()), (key) =>
          client.json(
            HttpClientRequest.post("/todos").pipe(
              HttpClientRequest.setHeader("idempotency-key", key),
              HttpClientRequest.bodyUnsafeJson({ title })
            ),
            Todo
          ))
    }
  })
}) {}
// endregion

// region: layers
// production: the undici pool; STEADFAST_RETRIES, STEADFAST_TIMEOUT_*, … and TODOS_* from the environment
export const TodosLive = Todos.Default.pipe(
  Layer.provide(NodeClient.layerConfig()),
  Layer.provide(TodosConfig.fromEnv)
)

// tests: the simulated network (scripted per test), a fixed configuration
export const TodosTest = Todos.Default.pipe(
  Layer.provideMerge(Client.layer().pipe(Layer.provideMerge(SimulatedNetwork.layer()))),
  Layer.provide(Layer.succeed(TodosConfig, {
    baseUrl: new URL("https://todos.test"),
    token: Redacted.make("test-token")
  }))
)

// the browser: fetch, with the configuration the page has
export const TodosBrowser = (config: Context.Tag.Service<TodosConfig>) =>
  Todos.Default.pipe(
    Layer.provide(Client.layer().pipe(Layer.provide(FetchHttpClient.layer))),
    Layer.provide(Layer.succeed(TodosConfig, config))
  )
// endregion

import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { ConfigProvider, Fiber, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

const SECRET = "s3cr3t-todo-token"

// in a test file this is the body of an it.effect
const inMemory = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  const todos = yield* Todos
  yield* net.script("GET /todos/1", [Fault.reset(), Reply.json(200, { id: 1, title: "write", done: false })])
  yield* net.script("POST /todos", [Fault.status(503), Reply.json(201, { id: 2, title: "test", done: false })])
  const fiber = yield* Effect.fork(Effect.all([todos.get(1), todos.create("test")]))
  yield* TestClock.adjust("1 minute")
  const [first, created] = yield* Fiber.join(fiber)
  assert.deepStrictEqual([first.title, created.id], ["write", 2])
  // the POST was retried because of its key, the same on both attempts
  const keys = (yield* net.attempts("POST /todos")).map((a) => a.headers["idempotency-key"])
  assert.ok(keys.length === 2 && keys[0] !== undefined && keys[0] === keys[1], String(keys))
}).pipe(Effect.provide(TodosTest), Effect.provide(TestContext.TestContext))

const onSockets = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  // production, with its environment
  const env = ConfigProvider.fromMap(
    new Map([["TODOS_URL", server.urls.http], ["TODOS_TOKEN", SECRET], ["STEADFAST_PROXY", "none"]]),
    { pathDelim: "_" }
  )
  const live = yield* Effect.gen(function*() {
    const todos = yield* Todos
    const todo = yield* todos.get(1)
    // a refusal names the request, never the token
    const denied = yield* Effect.flip(todos.get(403))
    return { todo, denied }
  }).pipe(Effect.provide(TodosLive), Effect.withConfigProvider(env))
  assert.strictEqual(live.todo.title, "from the server")
  assert.ok(live.denied._tag === "StatusError" && live.denied.status === 403)
  for (const rendering of [live.denied.message, String(live.denied), JSON.stringify(live.denied)]) {
    assert.ok(!rendering.includes(SECRET), rendering)
  }
  // the browser's layer, over Node's fetch here
  const viaFetch = yield* Effect.flatMap(Todos, (todos) => todos.get(1)).pipe(
    Effect.provide(TodosBrowser({ baseUrl: new URL(server.urls.http), token: Redacted.make(SECRET) }))
  )
  assert.strictEqual(viaFetch.title, "from the server")
  // the server got the token each time (records keep it out of sight)
  const auth = (yield* server.attempts).filter((a) => a.route === "GET /todos/1").map((a) => a.headers["authorization"])
  assert.deepStrictEqual(auth, ["<redacted>", "<redacted>"])
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /todos/1": Scenario.sequence([Reply.json(200, { id: 1, title: "from the server", done: true })], {
      after: "repeat-last"
    }),
    "GET /todos/403": [Fault.status(403)]
  })))
)

export const program = Effect.gen(function*() {
  yield* inMemory
  yield* onSockets
})
