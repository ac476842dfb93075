import { requestErrorTag } from "#testline/platform"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Effect from "@steadfast/core/line/Effect"
import { platformFields } from "@steadfast/core/line/platformReason"
import * as TestClock from "@steadfast/core/line/TestClock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Assert from "../src/Assert.js"
import { Fault, Reply } from "../src/Fault.js"
import * as Scenario from "../src/Scenario.js"
import * as SimulatedNetwork from "../src/SimulatedNetwork.js"

const API = "http://api.test"

const flaky = Scenario.make({
  "GET /items": [Fault.reset(), Fault.latency("1 second", Fault.status(503)), Reply.json(200, [])],
  "GET /other": Scenario.sequence([Reply.empty(204)], { after: "repeat-last" })
})

/** GET /items until it answers 200, backing off 100 ms, 200 ms, … */
const getItems = HttpClient.HttpClient.pipe(
  Effect.map(HttpClient.filterStatusOk),
  Effect.flatMap((client) => client.get(`${API}/items`)),
  Effect.retry(Schedule.exponential("100 millis"))
)

const runFlaky = Effect.gen(function*() {
  const fiber = yield* Effect.fork(getItems)
  yield* TestClock.adjust("1 minute")
  return yield* Fiber.join(fiber)
})

const message = <A>(effect: Effect.Effect<A, Assert.AssertionFailed, SimulatedNetwork.SimulatedNetwork>) =>
  Effect.map(Effect.flip(effect), (e) => e.message)

describe("Assert", () => {
  it.effect("attempts: counts the attempts on a route, or on the network", () =>
    Effect.gen(function*() {
      yield* runFlaky
      strictEqual((yield* Assert.attempts("GET /items", 3)).length, 3)
      yield* Assert.attempts("GET /other", 0)
      yield* Assert.attempts(undefined, 3)
      const text = yield* message(Assert.attempts("GET /items", 2))
      assertTrue(text.startsWith("expected 2 attempt(s) on route \"GET /items\", got 3:"), text)
      assertTrue(text.includes("#0 +0ms GET http://api.test/items [ResetBeforeResponse] -> ECONNRESET"), text)
      assertTrue(text.includes("#1 +100ms GET http://api.test/items [ResponseLatency] -> 503"), text)
      assertTrue(text.includes("#2 +1300ms GET http://api.test/items [Reply] -> 200"), text)
      assertTrue((yield* message(Assert.attempts("GET /other", 1))).includes("(no attempts)"))
    }).pipe(Effect.provide(SimulatedNetwork.layer(flaky))))

  it.effect("delays: the backoff between attempts (end to start) or start to start, in virtual time", () =>
    Effect.gen(function*() {
      yield* runFlaky
      const backoff = yield* Assert.delays("GET /items", ["100 millis", "200 millis"])
      deepStrictEqual(backoff, [Duration.millis(100), Duration.millis(200)])
      yield* Assert.delays("GET /items", [Duration.millis(100), "1200 millis"], { from: "start" })
      const text = yield* message(Assert.delays("GET /items", ["100 millis", "400 millis"]))
      assertTrue(
        text.startsWith(
          "expected delays [100ms, 400ms] between attempts on route \"GET /items\" (from end to start), got [100ms, 200ms]:"
        ),
        text
      )
    }).pipe(Effect.provide(SimulatedNetwork.layer(flaky))))

  it.effect("outcomes: statuses, codes and aborts as labels", () =>
    Effect.gen(function*() {
      yield* runFlaky
      yield* Assert.outcomes("GET /items", ["ECONNRESET", 503, "200"])
      const text = yield* message(Assert.outcomes("GET /items", ["ECONNRESET", 200]))
      assertTrue(
        text.startsWith(
          "expected outcomes [\"ECONNRESET\",\"200\"] on route \"GET /items\", got [\"ECONNRESET\",\"503\",\"200\"]"
        ),
        text
      )
    }).pipe(Effect.provide(SimulatedNetwork.layer(flaky))))

  it.effect("failsWithTag: returns the error with that tag, and says what happened otherwise", () =>
    Effect.gen(function*() {
      class Boom extends Data.TaggedError("Boom")<{ readonly detail: string }> {}
      class Other extends Data.TaggedError("Other")<{}> {}
      const boom: Effect.Effect<number, Boom | Other> = Effect.fail(new Boom({ detail: "x" }))
      const error = yield* boom.pipe(Assert.failsWithTag("Boom"))
      strictEqual(error.detail, "x")
      strictEqual((yield* Assert.failsWithTag(boom, "Boom"))._tag, "Boom")
      const wrong = yield* Effect.flip(Assert.failsWithTag(boom, "Other"))
      strictEqual(wrong.message, "expected a failure tagged \"Other\", but it failed with Boom {\"detail\":\"x\"}")
      const succeeded = yield* Effect.flip(Assert.failsWithTag(Effect.succeed({ id: 1 }), "Boom"))
      strictEqual(succeeded.message, "expected a failure tagged \"Boom\", but it succeeded with {\"id\":1}")
      const died = yield* Effect.flip(Assert.failsWithTag(Effect.die(new RangeError("bug")), "Boom"))
      strictEqual(died.message, "expected a failure tagged \"Boom\", but it died with RangeError: bug")
      const interrupted = yield* Effect.flip(Assert.failsWithTag(Effect.interrupt, "Boom"))
      assertTrue(interrupted.message.startsWith("expected a failure tagged \"Boom\", but it was interrupted"))
    }))

  it.effect("failsWithTag on the simulated network: the platform's RequestError", () =>
    Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      yield* net.script("GET /down", [Fault.refused()])
      // Effect 4: an HttpClientError whose reason is a TransportError
      const error = yield* HttpClient.get(`${API}/down`).pipe(Assert.failsWithTag(requestErrorTag))
      const fields = platformFields(error)
      strictEqual(fields?.kind, "RequestError")
      strictEqual(fields?.reason, "Transport")
      strictEqual((fields?.cause as { code: string }).code, "ECONNREFUSED")
    }).pipe(Effect.provide(SimulatedNetwork.layer())))
})
