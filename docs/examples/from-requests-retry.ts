/**
 * "Coming from requests": the hand-written retry loop, and urllib3's `Retry`
 * mounted with an `HTTPAdapter`, as steadfast policies. The delays are
 * checked under the TestClock with the testkit's `Assert.delays`.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, Retry } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Assert, Fault, Reply, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, Schedule, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: loop
// for attempt in range(5):
//     try:
//         return requests.get(url, timeout=10).json()
//     except (requests.ConnectionError, requests.Timeout):
//         time.sleep(2 ** attempt)
const getReport = (id: number) => Client.json(HttpClientRequest.get(`https://reports.example.test/reports/${id}`))

// no loop: the client's policy retries, 1 s, 2 s, 4 s, 8 s apart
const ClientLive = Client.layer({ retry: { retries: 4, backoff: { base: "1 second", jitter: "none" } } })
// endregion

// region: adapter
// retry = Retry(total=5, backoff_factor=0.5, status_forcelist=[500, 502, 503, 504],
//               allowed_methods=["HEAD", "GET", "OPTIONS"])
// session.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=10))
const urllib3Retry = Retry.policy({
  retries: 5, // total=5
  // backoff_factor=0.5: urllib3 retries at once, then waits 1 s, 2 s, 4 s…
  schedule: Schedule.andThen(Schedule.once, Schedule.exponential("1 second")),
  statuses: [500, 502, 503, 504], // status_forcelist
  idempotentMethods: ["HEAD", "GET", "OPTIONS"] // allowed_methods
})

// the Session with its adapter: one pool, provided once (pool_maxsize=10)
const SessionLive = NodeClient.layer({ retry: urllib3Retry, pool: { connections: 10 } })
// endregion

const simulated = <A, E>(effect: Effect.Effect<A, E, Client.Client | SimulatedNetwork.SimulatedNetwork>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

export const program = Effect.gen(function*() {
  // the loop: two resets and a refused connection, then the report
  yield* simulated(
    Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      yield* net.script("GET /reports/1", [Fault.reset(), Fault.reset(), Fault.refused(), Reply.json(200, { id: 1 })])
      assert.deepStrictEqual(yield* getReport(1), { id: 1 })
      yield* Assert.delays("GET /reports/1", ["1 second", "2 seconds", "4 seconds"])
    }).pipe(Effect.provide(ClientLive.pipe(Layer.provideMerge(SimulatedNetwork.layer()))))
  )

  // the adapter's policy: urllib3's delays, its statuses, its methods
  yield* simulated(
    Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      yield* net.script("GET /reports/2", [Fault.status(503), Fault.status(502), Fault.status(500), Reply.json(200, 2)])
      assert.strictEqual(yield* getReport(2), 2)
      yield* Assert.delays("GET /reports/2", ["0 millis", "1 second", "2 seconds"])
      // PUT is not in allowed_methods: its 503 is not retried
      yield* net.script("PUT /reports/3", [Fault.status(503)])
      const put = yield* Effect.flip(Client.text(HttpClientRequest.put("https://reports.example.test/reports/3")))
      assert.deepStrictEqual([put._tag, put.attempts], ["StatusError", 1])
    }).pipe(Effect.provide(Client.layer({ retry: urllib3Retry }).pipe(Layer.provideMerge(SimulatedNetwork.layer()))))
  )

  // the Session's layer builds (a pool of 10 per origin); it is run against real sockets in docs/pooling.md
  yield* Effect.scoped(Layer.build(SessionLive))
}).pipe(Effect.provide(TestContext.TestContext))
