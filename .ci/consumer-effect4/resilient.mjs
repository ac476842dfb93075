// The Effect 4 consumer program, run from the installed Effect 4 tarballs:
// a FaultServer from @steadfast/testkit resets the first attempt on its
// socket; the @steadfast/node client on Effect 4 retries it and decodes the
// JSON of the second. It passes only if the client retried.
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect } from "effect"
import { HttpClientRequest } from "effect/http"

const server = await FaultServer.start(Scenario.make({
  "GET /todo": [Fault.reset(), Reply.json(200, { id: 1, title: "from Effect 4" })]
}))
try {
  const program = Effect.flatMap(Client.Client, (client) => client.json(HttpClientRequest.get("/todo")))
  const todo = await Effect.runPromise(
    Effect.provide(program, NodeClient.layer({ baseUrl: server.urls.http, proxy: { url: "none" } }))
  )
  if (todo?.title !== "from Effect 4") throw new Error(`unexpected body ${JSON.stringify(todo)}`)
  const exhausted = server.exhausted()
  if (exhausted.length > 0) throw new Error(`unexpected requests: ${exhausted.map((e) => e.message).join("; ")}`)
  console.log("ok node on Effect 4: a reset attempt retried, then the JSON decoded")
} finally {
  await server.stop()
}
