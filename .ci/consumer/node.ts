// @steadfast/node: the undici pool as a Layer; a reset connection retried.
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient, Pool } from "@steadfast/node"
import { Effect, Schema } from "effect"

const base = process.argv[2] ?? "http://127.0.0.1:1"
const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

const program = Effect.gen(function*() {
  const client = yield* Client.Client
  const todo = yield* client.json(HttpClientRequest.get("/node/todo"), Todo)
  if (todo.title !== "from node") throw new Error(`unexpected body ${JSON.stringify(todo)}`)
  const stats = yield* Pool.stats
  return `node: ${todo.title} over ${stats.length} pool origin(s)`
})

const HttpLive = NodeClient.layer({ baseUrl: base, pool: { connections: 4 }, proxy: { url: "none" } })

Effect.runPromise(Effect.provide(program, HttpLive)).then(
  (line) => console.log(`ok ${line}`),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
