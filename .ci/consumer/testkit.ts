// @steadfast/testkit: the simulated network under TestClock (no socket, no
// wall-clock wait), then a FaultServer of its own on loopback.
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, FaultServer, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"

const simulated = Effect.gen(function*() {
  const net = yield* SimulatedNetwork.SimulatedNetwork
  const fiber = yield* Effect.fork(Client.text(HttpClientRequest.get("http://api.test/items")))
  yield* TestClock.adjust("1 minute")
  const body = yield* Fiber.join(fiber)
  const attempts = yield* net.attempts("GET /items")
  if (body !== "[]" || attempts.length !== 3) throw new Error(`got ${body} after ${attempts.length} attempts`)
  return attempts.length
}).pipe(
  Effect.provide(
    Client.layer().pipe(Layer.provideMerge(SimulatedNetwork.layer(Scenario.make({
      "GET /items": [Fault.reset(), Fault.status(503), Reply.text(200, "[]")]
    }))))
  ),
  Effect.provide(TestContext.TestContext)
)

const onSockets = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const text = yield* Client.text(HttpClientRequest.get(`${server.urls.http}/ping`))
  return `${text} after ${yield* server.hits("GET /ping")} hits`
}).pipe(
  Effect.provide(Client.layer().pipe(Layer.provide(FetchHttpClient.layer))),
  Effect.provide(FaultServer.layer(Scenario.make({ "GET /ping": [Fault.status(500), Reply.text(200, "pong")] })))
)

// two runs: the first one's TestClock must not be the second one's clock
Promise.all([Effect.runPromise(simulated), Effect.runPromise(onSockets)]).then(
  ([attempts, pong]) => `testkit: simulated ${attempts} attempts in virtual time; fault server: ${pong}`
).then(
  (line) => console.log(`ok ${line}`),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
