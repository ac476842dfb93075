// @steadfast/core on its own, over @effect/platform's FetchHttpClient: a 503
// retried, a JSON body decoded with Schema, a 404 as a typed StatusError.
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { Client, Errors } from "@steadfast/core"
import { Effect, Layer, Schema } from "effect"

const base = process.argv[2] ?? "http://127.0.0.1:1"
const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

const program = Effect.gen(function*() {
  const todo = yield* Client.json(HttpClientRequest.get(`${base}/core/todo`), Todo)
  if (todo.title !== "from core") throw new Error(`unexpected body ${JSON.stringify(todo)}`)
  const missing = yield* Effect.flip(Client.text(HttpClientRequest.get(`${base}/missing`)))
  if (!Errors.isStatusError(missing) || missing.status !== 404) throw new Error(`expected a 404, got ${missing._tag}`)
  return `core: ${todo.title}, then ${missing._tag} ${missing.status} after ${missing.attempts} attempt(s)`
})

const ClientLive = Client.layer({ retry: { retries: 2 } }).pipe(Layer.provide(FetchHttpClient.layer))

Effect.runPromise(Effect.provide(program, ClientLive)).then(
  (line) => console.log(`ok ${line}`),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
