// A plain JavaScript ESM consumer (no TypeScript): the three packages as
// `import` statements, the node client against the check's FaultServer.
import { HttpClientRequest } from "@effect/platform"
import { Client, Errors } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Reply, Scenario } from "@steadfast/testkit"
import { Effect } from "effect"

const base = process.argv[2] ?? "http://127.0.0.1:1"

if (typeof Reply.json !== "function" || typeof Scenario.make !== "function") throw new Error("testkit exports")

const program = Effect.gen(function*() {
  const todo = yield* Client.json(HttpClientRequest.get(`${base}/plain/todo`))
  const missing = yield* Effect.flip(Client.json(HttpClientRequest.get(`${base}/missing`)))
  if (!Errors.isStatusError(missing)) throw new Error(`expected a StatusError, got ${missing._tag}`)
  return `plain: ${todo.title}, then ${missing._tag} ${missing.status}`
})

Effect.runPromise(Effect.provide(program, NodeClient.layer({ proxy: { url: "none" } }))).then(
  (line) => console.log(`ok ${line}`),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
