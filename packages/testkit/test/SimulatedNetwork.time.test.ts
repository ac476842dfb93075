import { defectOption } from "#testline/causes"
import { exitNow } from "#testline/fibers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Exit from "@steadfast/core/line/Exit"
import * as TestClock from "@steadfast/core/line/TestClock"
import * as Fiber from "effect/Fiber"
import type * as Option from "effect/Option"
import { Fault, Reply } from "../src/Fault.js"
import * as Scenario from "../src/Scenario.js"
import * as SimulatedNetwork from "../src/SimulatedNetwork.js"
import {
  API,
  attemptAborted,
  causeOf,
  failure,
  fieldsOf,
  makeAttempt,
  Net,
  provide,
  send
} from "./helpers/simulated.js"

describe("SimulatedNetwork: time, hangs, aborts and interruption", () => {
  it.effect("ResponseLatency answers at its exact virtual instant, after connecting at once", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /late", [Fault.latency("2 seconds", Reply.text(200, "late"))])
      const { attempt, connects } = yield* makeAttempt
      const fiber = yield* Effect.fork(send("/late", attempt))
      yield* TestClock.adjust("1999 millis")
      strictEqual(exitNow(fiber), undefined)
      deepStrictEqual(connects, [0])
      yield* TestClock.adjust("1 milli")
      strictEqual((yield* Fiber.join(fiber)).status, 200)
      const [record] = yield* net.attempts("GET /late")
      strictEqual(record?.at, 0)
      strictEqual(record?.endedAt, 2000)
      strictEqual(record?.fault, "ResponseLatency")
    }).pipe(provide()))

  it.effect("ConnectLatency calls connected() when the delay is over, then runs the next fault", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /a", [Fault.connectLatency("3 seconds", Reply.empty(204))])
      yield* net.script("GET /b", [Fault.connectLatency("3 seconds", Fault.refused())])
      const a = yield* makeAttempt
      const fa = yield* Effect.fork(send("/a", a.attempt))
      const b = yield* makeAttempt
      const fb = yield* Effect.fork(failure(send("/b", b.attempt)))
      yield* TestClock.adjust("3 seconds")
      strictEqual((yield* Fiber.join(fa)).status, 204)
      deepStrictEqual(a.connects, [3000])
      strictEqual(causeOf(yield* Fiber.join(fb)).code, "ECONNREFUSED")
      deepStrictEqual(b.connects, [])
    }).pipe(provide()))

  it.effect("ConnectHang never connects; the client's abort (ConnectTimeout) stops it at once and is recorded", () =>
    Effect.gen(function*() {
      const net = yield* Net
      const reason = yield* attemptAborted
      yield* net.script("GET /blackhole", [Fault.connectHang()])
      const { attempt, connects, controller } = yield* makeAttempt
      const fiber = yield* Effect.fork(failure(send("/blackhole", attempt)))
      yield* TestClock.adjust("1 hour")
      strictEqual(exitNow(fiber), undefined)
      deepStrictEqual(connects, [])
      controller.abort(reason("ConnectTimeout"))
      // No clock movement: the abort alone ends the attempt.
      const error = yield* Fiber.join(fiber)
      strictEqual(fieldsOf(error).kind, "RequestError")
      strictEqual(fieldsOf(error).cause, controller.signal.reason)
      const [record] = yield* net.attempts("GET /blackhole")
      deepStrictEqual(record?.outcome, { _tag: "Aborted", reason: "ConnectTimeout", phase: "connect" })
      strictEqual(record?.endedAt, 3_600_000)
    }).pipe(provide()))

  it.effect("NoResponse connects and never answers; an abort (ResponseTimeout) stops it at once", () =>
    Effect.gen(function*() {
      const net = yield* Net
      const reason = yield* attemptAborted
      yield* net.script("GET /stuck", [Fault.hang()])
      const { attempt, connects, controller } = yield* makeAttempt
      const fiber = yield* Effect.fork(failure(send("/stuck", attempt)))
      yield* TestClock.adjust("30 seconds")
      deepStrictEqual(connects, [0])
      controller.abort(reason("ResponseTimeout"))
      strictEqual(fieldsOf(yield* Fiber.join(fiber)).kind, "RequestError")
      deepStrictEqual((yield* net.attempts("GET /stuck"))[0]?.outcome, {
        _tag: "Aborted",
        reason: "ResponseTimeout",
        phase: "response"
      })
    }).pipe(provide()))

  it.effect("an abort during latency or a trickled body stops it at once", () =>
    Effect.gen(function*() {
      const net = yield* Net
      const reason = yield* attemptAborted
      yield* net.script("GET /late", [Fault.latency("1 minute")])
      const late = yield* makeAttempt
      const fiber = yield* Effect.fork(failure(send("/late", late.attempt)))
      yield* TestClock.adjust("1 second")
      late.controller.abort(reason("DeadlineExceeded"))
      strictEqual(fieldsOf(yield* Fiber.join(fiber)).kind, "RequestError")
      yield* net.script("GET /slow", [Fault.trickle({ chunkSize: 1, interval: "1 second" }, Reply.text(200, "abc"))])
      const slow = yield* makeAttempt
      const response = (yield* send("/slow", slow.attempt)) as unknown as Transport.BodyReader
      const read = yield* Effect.fork(failure(response[Transport.BodyReaderTypeId](() => true)))
      yield* TestClock.adjust("1500 millis")
      slow.controller.abort(reason("BodyTimeout"))
      const error = yield* Fiber.join(read)
      strictEqual(fieldsOf(error).kind, "ResponseError")
      strictEqual(fieldsOf(error).reason, "Decode")
      deepStrictEqual((yield* net.timeline).map((r) => r.outcome), [
        { _tag: "Aborted", reason: "DeadlineExceeded", phase: "response" },
        { _tag: "Aborted", reason: "BodyTimeout", phase: "body" }
      ])
    }).pipe(provide()))

  it.effect("an attempt whose signal is already aborted fails without being served", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /x", [Reply.empty(200)])
      const { attempt, controller, connects } = yield* makeAttempt
      controller.abort()
      strictEqual(fieldsOf(yield* failure(send("/x", attempt))).kind, "RequestError")
      deepStrictEqual(connects, [])
      deepStrictEqual((yield* net.attempts())[0]?.outcome, { _tag: "Aborted", reason: "Aborted", phase: "connect" })
    }).pipe(provide()))

  it.effect("interrupting a hanging request stops it and records the interruption", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /stuck", Scenario.sequence([Fault.hang()], { after: "repeat-last" }))
      const fiber = yield* Effect.fork(HttpClient.get(`${API}/stuck`))
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.interrupt(fiber)
      assertTrue(Exit.isInterrupted(yield* Fiber.await(fiber)))
      const { attempt } = yield* makeAttempt
      const direct = yield* Effect.fork(send("/stuck", attempt))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(direct)
      deepStrictEqual((yield* net.timeline).map(SimulatedNetwork.outcomeLabel), [
        "aborted: Interrupted",
        "aborted: Interrupted"
      ])
      deepStrictEqual((yield* net.timeline).map((r) => r.endedAt), [5000, 6000])
    }).pipe(provide()))
})

// ---------------------------------------------------------------------------

describe("SimulatedNetwork: routing and scripts", () => {
  const status = (method: string, path: string) =>
    HttpClient.execute(HttpClientRequest.make(method as "GET")(`${API}${path}`)).pipe(Effect.map((r) => r.status))

  it.effect("method and exact path, prefixes, any method, predicates; first match wins", () =>
    Effect.gen(function*() {
      strictEqual(yield* status("GET", "/items"), 200)
      strictEqual(yield* status("POST", "/items"), 201)
      strictEqual(yield* status("DELETE", "/items/7"), 204)
      strictEqual(yield* status("PATCH", "/health"), 203)
      strictEqual(yield* status("GET", "/admin/x"), 403)
      const net = yield* Net
      deepStrictEqual((yield* net.timeline).map((r) => r.route), [
        "GET /items",
        "POST /items",
        "* /items/*",
        "/health",
        "admin area"
      ])
    }).pipe(provide(Scenario.make([
      Scenario.route("GET /items", Scenario.sequence([Reply.empty(200)], { after: "repeat-last" })),
      Scenario.route("POST /items", [Reply.empty(201)]),
      Scenario.route("* /items/*", [Reply.empty(204)]),
      Scenario.route("/health", [Reply.empty(203)]),
      Scenario.route({ name: "admin area", test: ({ url }) => url.pathname.startsWith("/admin") }, [Reply.empty(403)]),
      Scenario.route("* /*", [Reply.empty(404)])
    ]))))

  it.effect("an unmatched request dies with a message naming the request and the routes", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(HttpClient.get(`${API}/nope?token=secret`))
      assertTrue(Exit.isFailure(exit))
      const defect = defectOption(exit.cause) as Option.Some<Error>
      const message = defect.value.message
      assertTrue(message.includes("GET http://api.test/nope?token=<redacted>"), message)
      assertTrue(message.includes("\"GET /items\", \"POST /orders\""), message)
      assertTrue(!message.includes("secret"), message)
    }).pipe(provide(Scenario.make({ "GET /items": [Reply.empty(200)], "POST /orders": [Reply.empty(201)] }))))

  it.effect("sequences: repeat-last, cycle, and fail (a loud defect)", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /r", Scenario.sequence([Reply.empty(500), Reply.empty(200)], { after: "repeat-last" }))
      yield* net.script("GET /c", Scenario.sequence([Reply.empty(500), Reply.empty(200)], { after: "cycle" }))
      yield* net.script("GET /f", [Reply.empty(200)])
      const statuses = (path: string) => Effect.forEach([1, 2, 3, 4], () => status("GET", path))
      deepStrictEqual(yield* statuses("/r"), [500, 200, 200, 200])
      deepStrictEqual(yield* statuses("/c"), [500, 200, 500, 200])
      strictEqual(yield* status("GET", "/f"), 200)
      const exit = yield* Effect.exit(status("GET", "/f"))
      const message = (defectOption((exit as Exit.Failure<number, unknown>).cause) as Option.Some<Error>).value.message
      assertTrue(message.includes("route \"GET /f\" got attempt 2"), message)
      assertTrue(message.includes("Request: GET http://api.test/f"), message)
      deepStrictEqual((yield* net.attempts("GET /c")).map((r) => r.step), [0, 1, 2, 3])
    }).pipe(provide()))

  it.effect("script replaces a route with the same key (its count restarts) and puts new routes first", () =>
    Effect.gen(function*() {
      const net = yield* Net
      strictEqual(yield* status("GET", "/items"), 404)
      yield* net.script("GET /items", [Reply.empty(200)])
      strictEqual(yield* status("GET", "/items"), 200)
      yield* net.script("GET /items", [Reply.empty(202)])
      strictEqual(yield* status("GET", "/items"), 202)
      deepStrictEqual((yield* net.attempts("GET /items")).map((r) => r.step), [0, 0])
      yield* net.reset
      deepStrictEqual(yield* net.timeline, [])
      yield* net.setScenario(Scenario.make({ "* /*": [Reply.empty(418)] }))
      strictEqual(yield* status("GET", "/items"), 418)
    }).pipe(provide(Scenario.make({ "* /*": Scenario.sequence([Reply.empty(404)], { after: "repeat-last" }) }))))
})

// ---------------------------------------------------------------------------
