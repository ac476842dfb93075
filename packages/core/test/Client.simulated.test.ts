/**
 * The retry timeline rules over the testkit's SimulatedNetwork: the scenario
 * reads as the story of the test, and Assert checks the attempts and the
 * waits between them in virtual time.
 */
import type * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Fiber from "#line/Fiber"
import * as Layer from "#line/Layer"
import * as TestClock from "#line/TestClock"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client } from "@steadfast/core"
import { Assert, Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"

const api = "https://api.test"
const noJitter = { retries: 3, backoff: { base: "100 millis", jitter: "none" } } as const

const run = <A, E>(effect: Effect.Effect<A, E, Client.Client>, by: Duration.DurationInput = "10 minutes") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.either(effect))
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

const withNetwork = (scenario: Scenario.Scenario, options: Client.Options = { retry: noJitter }) =>
  Effect.provide(Client.layer(options).pipe(Layer.provideMerge(SimulatedNetwork.layer(scenario))))

describe("retry timelines on the simulated network", () => {
  it.effect("two resets, then success: waits of 100 and 200 ms", () =>
    Effect.gen(function*() {
      const result = yield* run(Client.json(HttpClientRequest.get(`${api}/items`)))
      deepStrictEqual(result._tag === "Right" && result.right, [1])
      yield* Assert.outcomes("GET /items", ["ECONNRESET", "ECONNRESET", 200])
      yield* Assert.delays("GET /items", ["100 millis", "200 millis"])
    }).pipe(withNetwork(Scenario.make({ "GET /items": [Fault.reset(), Fault.reset(), Reply.json(200, [1])] }))))

  it.effect("Retry-After in seconds sets the next wait", () =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get(`${api}/items`)))
      yield* Assert.outcomes("GET /items", [503, 200])
      yield* Assert.delays("GET /items", ["5 seconds"])
    }).pipe(withNetwork(Scenario.make({ "GET /items": [Fault.status(503, { retryAfter: 5 }), Reply.json(200, [])] }))))

  it.effect("Retry-After as a date sets the next wait", () =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get(`${api}/items`)))
      yield* Assert.delays("GET /items", ["8 seconds"])
    }).pipe(
      // the TestClock starts at the epoch
      withNetwork(
        Scenario.make({ "GET /items": [Fault.status(429, { retryAfter: new Date(8000) }), Reply.json(200, [])] })
      )
    ))

  it.effect("a body cut off mid-way is retried; the records show where it failed", () =>
    Effect.gen(function*() {
      const result = yield* run(Client.json(HttpClientRequest.get(`${api}/items`)))
      deepStrictEqual(result._tag === "Right" && result.right, { n: 1 })
      yield* Assert.outcomes("GET /items", ["ECONNRESET (body)", 200])
    }).pipe(
      withNetwork(
        Scenario.make({ "GET /items": [Fault.resetMidBody(3, Reply.json(200, { n: 1 })), Reply.json(200, { n: 1 })] })
      )
    ))

  it.effect("a POST refused before connecting is retried; one reset after sending is not", () =>
    Effect.gen(function*() {
      const post = (path: string) => HttpClientRequest.post(`${api}${path}`).pipe(HttpClientRequest.bodyText("{}"))
      const refused = yield* run(Client.json(post("/a")))
      strictEqual(refused._tag, "Right")
      yield* Assert.attempts("POST /a", 2)
      const reset = yield* run(Client.json(post("/b")))
      strictEqual(reset._tag === "Left" && reset.left._tag, "ConnectionReset")
      yield* Assert.attempts("POST /b", 1)
    }).pipe(withNetwork(Scenario.make({
      "POST /a": [Fault.refused(), Reply.json(201, {})],
      "POST /b": [Fault.reset(), Reply.json(201, {})]
    }))))

  it.effect("a hang is cut off by the response timeout and retried; the record says aborted", () =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get(`${api}/slow`)))
      yield* Assert.outcomes("GET /slow", ["aborted: ResponseTimeout", 200])
      // the second attempt starts 30 s (the timeout) + 100 ms (the backoff) after the first
      yield* Assert.delays("GET /slow", ["30100 millis"], { from: "start" })
    }).pipe(withNetwork(Scenario.make({ "GET /slow": [Fault.hang(), Reply.json(200, {})] }))))

  it.effect("connect latency past the connect timeout is ConnectTimeout, as on the real transport", () =>
    Effect.gen(function*() {
      const result = yield* run(Client.json(HttpClientRequest.get(`${api}/far`)))
      strictEqual(result._tag === "Left" && result.left._tag, "ConnectTimeout")
      yield* Assert.outcomes("GET /far", ["aborted: ConnectTimeout"])
    }).pipe(
      withNetwork(Scenario.make({ "GET /far": [Fault.connectLatency("10 seconds")] }), { retry: { retries: 0 } })
    ))
})
