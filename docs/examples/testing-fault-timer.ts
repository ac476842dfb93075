/**
 * A test about a delay on real sockets, without a stopwatch: the fault server
 * waits on a timer the test runs by hand.
 */
import { Fault, FaultServer, Reply, Scenario, type Timer } from "@steadfast/testkit"
import { Effect, Fiber, Option } from "effect"
import * as assert from "node:assert"
import { Agent, request } from "undici"

// region: timer
// a timer that holds what the server asks for until the test runs it
let now = 0
const asked: Array<{ readonly ms: number; readonly run: () => void }> = []
const timer: Timer.Timer = {
  now: () => now,
  later: (ms, f) => {
    const due = now + ms
    const run = () => {
      now = Math.max(now, due) // running a timer moves the time to its due time
      f()
    }
    asked.push({ ms, run })
    return () => {}
  }
}

const test = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const dispatcher = new Agent()
  const answer = yield* Effect.fork(
    Effect.promise(() => request(`${server.urls.http}/slow`, { dispatcher }).then((r) => r.body.text()))
  )
  // real sockets: wait until the request is in and the server asked for its delay
  while (asked.length === 0) yield* Effect.sleep("5 millis")
  assert.deepStrictEqual(asked.map((a) => a.ms), [2000])
  assert.ok(Option.isNone(yield* Fiber.poll(answer))) // no answer while the delay has not run

  asked[0]!.run()
  assert.strictEqual(yield* Fiber.join(answer), "late")
  yield* Effect.promise(() => dispatcher.close())
}).pipe(
  Effect.scoped,
  Effect.provide(
    FaultServer.layer(Scenario.make({ "GET /slow": [Fault.latency("2 seconds", Reply.text(200, "late"))] }), { timer })
  )
)
// endregion

export const program = test
