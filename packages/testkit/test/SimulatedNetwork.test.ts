import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client, Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Exit from "@steadfast/core/line/Exit"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Fiber from "effect/Fiber"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { errors as undiciErrors } from "undici"
import { Fault, type Fault as FaultT, Reply } from "../src/Fault.js"
import { stepFor } from "../src/internal/scenario.js"
import * as Scenario from "../src/Scenario.js"
import * as SimulatedNetwork from "../src/SimulatedNetwork.js"

const Net = SimulatedNetwork.SimulatedNetwork
const API = "http://api.test"

const provide = (scenario?: Scenario.Scenario) => Effect.provide(SimulatedNetwork.layer(scenario))

/** The failure of an effect that must fail. */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

const causeOf = (error: HttpClientError.HttpClientError) => error.cause as { code?: string; name?: string }

/** Counts the fibers forked while `effect` runs. */
class ForkCounter extends Supervisor.AbstractSupervisor<number> {
  forks = 0
  get value() {
    return Effect.sync(() => this.forks)
  }
  override onStart() {
    this.forks++
  }
}

/** An attempt for the direct transport, with an abort controller and a record of `connected()` calls. */
const makeAttempt = Effect.map(Effect.clock, (clock) => {
  const controller = new AbortController()
  const connects: Array<number> = []
  const attempt = Transport.attemptFromSignal(controller.signal, {
    connectTimeoutMs: 5000,
    connected: () => void connects.push(clock.unsafeCurrentTimeMillis())
  })
  return { controller, connects, attempt }
})

const send = (path: string, attempt: Transport.Attempt, method: "GET" | "POST" = "GET") =>
  Effect.flatMap(Net, (net) => {
    const request = HttpClientRequest.make(method)(`${API}${path}`)
    return net.transport.send(request, new URL(request.url), attempt)
  })

/** The abort reason the steadfast client puts on a signal. */
const attemptAborted = Effect.succeed(Transport.abortReason)

// ---------------------------------------------------------------------------

describe("SimulatedNetwork: replies", () => {
  it.effect("serves a JSON reply to the platform client, schemaBodyJson included", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /items/1", [Reply.json(200, { id: 1, name: "one" }, { etag: "\"v1\"" })])
      const client = (yield* HttpClient.HttpClient).pipe(
        HttpClient.mapRequest(HttpClientRequest.prependUrl(API)),
        HttpClient.filterStatusOk
      )
      const response = yield* client.get("/items/1")
      strictEqual(response.status, 200)
      strictEqual(response.headers["content-type"], "application/json")
      strictEqual(response.headers["content-length"], "21")
      strictEqual(response.headers["etag"], "\"v1\"")
      const item = yield* HttpClientResponse.schemaBodyJson(Schema.Struct({ id: Schema.Number, name: Schema.String }))(
        response
      )
      deepStrictEqual(item, { id: 1, name: "one" })
      // The body is read once; reading it again gives the same text.
      strictEqual(yield* response.text, "{\"id\":1,\"name\":\"one\"}")
    }).pipe(provide()))

  it.effect("an HttpApiClient runs over it unchanged, its errors included", () =>
    Effect.gen(function*() {
      class Item extends Schema.Class<Item>("Item")({ id: Schema.Number, name: Schema.String }) {}
      class Api extends HttpApi.make("api").add(
        HttpApiGroup.make("items").add(
          HttpApiEndpoint.get("get", "/items/:id")
            .setPath(Schema.Struct({ id: Schema.NumberFromString }))
            .addSuccess(Item)
        )
      ) {}
      const net = yield* Net
      yield* net.script("GET /items/*", [Reply.json(200, { id: 7, name: "seven" }), Fault.reset()])
      const client = yield* HttpApiClient.make(Api, { baseUrl: API })
      deepStrictEqual(yield* client.items.get({ path: { id: 7 } }), new Item({ id: 7, name: "seven" }))
      const error = yield* failure(client.items.get({ path: { id: 7 } }))
      strictEqual(error._tag, "RequestError")
      strictEqual((error as HttpClientError.RequestError).reason, "Transport")
      deepStrictEqual((yield* net.attempts("GET /items/*")).map((r) => r.url), [`${API}/items/7`, `${API}/items/7`])
    }).pipe(provide()))

  it.effect("HttpClient.get, arrayBuffer, stream, urlParamsBody, cookies, HEAD without a body", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script(
        "GET /form",
        Scenario.sequence([Reply.text(200, "a=1&b=two", { "set-cookie": "sid=abc; Path=/" })], { after: "repeat-last" })
      )
      yield* net.script("HEAD /form", [Reply.text(200, "ignored")])
      const response = yield* HttpClient.get(`${API}/form`)
      deepStrictEqual(new TextDecoder().decode(yield* response.arrayBuffer), "a=1&b=two")
      deepStrictEqual(yield* response.urlParamsBody, [["a", "1"], ["b", "two"]])
      strictEqual(response.cookies.cookies["sid"]?.value, "abc")
      const streamed = yield* Stream.runCollect((yield* HttpClient.get(`${API}/form`)).stream)
      strictEqual(new TextDecoder().decode(Chunk.toReadonlyArray(streamed)[0]), "a=1&b=two")
      const head = yield* HttpClient.head(`${API}/form`)
      strictEqual(head.headers["content-length"], "7")
      strictEqual(yield* head.text, "")
    }).pipe(provide()))

  it.effect("Echo answers { method, url, headers, body }", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("POST /echo", [Reply.echo(201)])
      const response = yield* HttpClient.execute(
        HttpClientRequest.post(`${API}/echo?x=1`).pipe(
          HttpClientRequest.setHeader("x-trace", "t1"),
          HttpClientRequest.bodyText("hello", "text/plain")
        )
      )
      strictEqual(response.status, 201)
      const echoed = (yield* response.json) as {
        method: string
        url: string
        headers: Record<string, string>
        body: string
      }
      strictEqual(echoed.method, "POST")
      strictEqual(echoed.url, `${API}/echo?x=1`)
      strictEqual(echoed.headers["x-trace"], "t1")
      strictEqual(echoed.body, "hello")
    }).pipe(provide()))

  it.effect.each(
    [
      ["same", "/next", `${API}/next`],
      ["secondary", "/next", "http://secondary.test/next"],
      ["insecure", "/next", "http://api.test/next"],
      ["same", "https://elsewhere.test/x", "https://elsewhere.test/x"]
    ] as const
  )("Redirect origin %s, location %s", ([origin, location, expected]) =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /start", [Fault.redirect(302, location, origin)])
      const response = yield* HttpClient.get(`${API}/start`)
      strictEqual(response.status, 302)
      strictEqual(response.headers["location"], expected)
    }).pipe(provide()))

  it.effect("https secondary redirects keep the scheme", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /start", [Fault.redirect(307, "/next", "secondary")])
      const response = yield* HttpClient.get("https://api.test/start")
      strictEqual(response.headers["location"], "https://secondary.test/next")
    }).pipe(provide()))

  it.effect("a plain Reply forks no fiber, through the platform client and the direct transport", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /cheap", Scenario.sequence([Reply.json(200, { ok: true })], { after: "repeat-last" }))
      const counter = new ForkCounter()
      yield* Effect.gen(function*() {
        const response = yield* HttpClient.get(`${API}/cheap`)
        yield* response.json
        const { attempt } = yield* makeAttempt
        const direct = yield* send("/cheap", attempt)
        yield* (direct as unknown as Transport.BodyReader)[Transport.BodyReaderTypeId](() => true)
      }).pipe(Effect.supervised(counter))
      strictEqual(counter.forks, 0)
    }).pipe(provide()))
})

// ---------------------------------------------------------------------------

describe("SimulatedNetwork: failures before the response", () => {
  const cases: ReadonlyArray<
    readonly [string, FaultT, string, boolean, (cause: unknown) => void]
  > = [
    [
      "DnsFailure",
      Fault.dns(),
      "ENOTFOUND",
      false,
      (c) => strictEqual((c as { hostname: string }).hostname, "api.test")
    ],
    [
      "DnsFailure temporary",
      Fault.dns({ temporary: true }),
      "EAI_AGAIN",
      false,
      (c) => strictEqual((c as { syscall: string }).syscall, "getaddrinfo")
    ],
    ["Refused", Fault.refused(), "ECONNREFUSED", false, (c) => {
      strictEqual((c as { port: number }).port, 80)
      assertTrue(/^connect ECONNREFUSED 198\.1[89]\.\d+\.\d+:80$/.test((c as Error).message))
    }],
    [
      "Unreachable",
      Fault.unreachable(),
      "ENETUNREACH",
      false,
      (c) => strictEqual((c as { syscall: string }).syscall, "connect")
    ],
    ["TlsFailure self-signed", Fault.tls("self-signed"), "DEPTH_ZERO_SELF_SIGNED_CERT", false, () => {}],
    ["TlsFailure expired", Fault.tls("expired"), "CERT_HAS_EXPIRED", false, () => {}],
    [
      "TlsFailure hostname-mismatch",
      Fault.tls("hostname-mismatch"),
      "ERR_TLS_CERT_ALTNAME_INVALID",
      false,
      (c) => strictEqual((c as { host: string }).host, "api.test")
    ],
    ["TlsFailure handshake", Fault.tls("handshake"), "ERR_SSL_WRONG_VERSION_NUMBER", false, () => {}],
    [
      "ResetBeforeResponse",
      Fault.reset(),
      "ECONNRESET",
      true,
      (c) => strictEqual((c as { syscall: string }).syscall, "read")
    ],
    ["CloseBeforeResponse", Fault.close(), "UND_ERR_SOCKET", true, (c) => {
      assertTrue(c instanceof undiciErrors.SocketError)
      strictEqual((c as undiciErrors.SocketError).message, "other side closed")
      strictEqual((c as undiciErrors.SocketError).socket?.bytesRead, 0)
    }],
    ["Malformed", Fault.malformed(), "HTTPParserError", true, (c) => {
      assertTrue(c instanceof undiciErrors.HTTPParserError)
      strictEqual((c as unknown as { data: string }).data, "SSH-2.0-OpenSSH_9.6\r\n\r\n")
    }]
  ]

  it.effect.each(cases)(
    "%s: RequestError(Transport) with cause %s",
    ([_label, fault, code, connects, check]) =>
      Effect.gen(function*() {
        const net = yield* Net
        yield* net.script("GET /x", [fault])
        const { attempt, connects: connectCalls } = yield* makeAttempt
        const error = yield* failure(send("/x", attempt))
        strictEqual(error._tag, "RequestError")
        strictEqual((error as HttpClientError.RequestError).reason, "Transport")
        const cause = causeOf(error)
        strictEqual(cause.code ?? cause.name, code)
        check(error.cause)
        // A failure before connected() proves the request never left.
        strictEqual(connectCalls.length, connects ? 1 : 0)
        const [record] = yield* net.attempts("GET /x")
        deepStrictEqual(record?.outcome, { _tag: "Failed", code, phase: connects ? "response" : "connect" })
        // The platform client fails the same way.
        yield* net.script("GET /x", [fault])
        const viaPlatform = yield* failure(HttpClient.get(`${API}/x`))
        strictEqual(viaPlatform._tag, "RequestError")
        strictEqual(causeOf(viaPlatform).code ?? causeOf(viaPlatform).name, code)
      }).pipe(provide())
  )
})

// ---------------------------------------------------------------------------

describe("SimulatedNetwork: body faults happen while the body is read", () => {
  const body = "0123456789".repeat(10)

  it.effect.each(
    [
      ["ResetMidBody", Fault.resetMidBody(30, Reply.text(200, body)), "ECONNRESET"],
      ["Truncated", Fault.truncate(30, Reply.text(200, body)), "UND_ERR_SOCKET"]
    ] as const
  )("%s: headers arrive, then the body read fails with %s", ([_label, fault, code]) =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /body", Scenario.sequence([fault], { after: "repeat-last" }))
      // text / json: a ResponseError(Decode) with the socket error as cause
      const response = yield* HttpClient.get(`${API}/body`)
      strictEqual(response.status, 200)
      strictEqual(response.headers["content-length"], "100")
      deepStrictEqual((yield* net.attempts("GET /body"))[0]?.outcome, { _tag: "Response", status: 200 })
      const error = yield* failure(response.text)
      strictEqual(error._tag, "ResponseError")
      strictEqual(error.reason, "Decode")
      strictEqual(causeOf(error).code, code)
      deepStrictEqual((yield* net.attempts("GET /body"))[0]?.outcome, { _tag: "Failed", code, phase: "body" })
      // stream: the first 30 bytes, then the failure
      const chunks: Array<Uint8Array> = []
      const streamError = yield* failure(
        Stream.runForEach((yield* HttpClient.get(`${API}/body`)).stream, (c) => Effect.sync(() => chunks.push(c)))
      )
      strictEqual(new TextDecoder().decode(chunks[0]), body.slice(0, 30))
      strictEqual(causeOf(streamError).code, code)
      // the direct body reader: the same bytes, then the same failure
      const { attempt } = yield* makeAttempt
      const direct = (yield* send("/body", attempt)) as unknown as Transport.BodyReader
      let received = 0
      const directError = yield* failure(direct[Transport.BodyReaderTypeId]((c) => {
        received += c.length
        return true
      }))
      strictEqual(received, 30)
      strictEqual(causeOf(directError).code, code)
    }).pipe(provide()))

  it.effect("a cut past the end of the body does not bite; a reader that stops early succeeds", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /whole", [Fault.resetMidBody(500, Reply.text(200, body))])
      strictEqual(yield* Effect.flatMap(HttpClient.get(`${API}/whole`), (r) => r.text), body)
      yield* net.script("GET /cut", [Fault.truncate(30, Reply.text(200, body))])
      const { attempt } = yield* makeAttempt
      const direct = (yield* send("/cut", attempt)) as unknown as Transport.BodyReader
      let calls = 0
      yield* direct[Transport.BodyReaderTypeId](() => {
        calls++
        return false
      })
      strictEqual(calls, 1)
    }).pipe(provide()))

  it.effect("Trickle delivers chunkSize bytes after each interval, at exact virtual instants", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /slow", [
        Fault.trickle({ chunkSize: 4, interval: "1 second" }, Reply.text(200, "abcdefghij"))
      ])
      const clock = yield* Effect.clock
      const { attempt } = yield* makeAttempt
      const response = (yield* send("/slow", attempt)) as unknown as Transport.BodyReader
      const seen: Array<[number, string]> = []
      const fiber = yield* Effect.fork(response[Transport.BodyReaderTypeId]((chunk) => {
        seen.push([clock.unsafeCurrentTimeMillis(), new TextDecoder().decode(chunk)])
        return true
      }))
      yield* TestClock.adjust("999 millis")
      deepStrictEqual(seen, [])
      yield* TestClock.adjust("1 milli")
      deepStrictEqual(seen, [[1000, "abcd"]])
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      deepStrictEqual(seen, [[1000, "abcd"], [2000, "efgh"], [3000, "ij"]])
    }).pipe(provide()))

  it.effect("Trickle through the platform client's text", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /slow", [
        Fault.trickle({ chunkSize: 5, interval: "10 seconds" }, Reply.text(200, "hello world"))
      ])
      const fiber = yield* Effect.fork(Effect.flatMap(HttpClient.get(`${API}/slow`), (r) => r.text))
      yield* TestClock.adjust("29 seconds")
      strictEqual(fiber.unsafePoll(), null)
      yield* TestClock.adjust("1 second")
      strictEqual(yield* Fiber.join(fiber), "hello world")
    }).pipe(provide()))
})

// ---------------------------------------------------------------------------

describe("SimulatedNetwork: time, hangs, aborts and interruption", () => {
  it.effect("ResponseLatency answers at its exact virtual instant, after connecting at once", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /late", [Fault.latency("2 seconds", Reply.text(200, "late"))])
      const { attempt, connects } = yield* makeAttempt
      const fiber = yield* Effect.fork(send("/late", attempt))
      yield* TestClock.adjust("1999 millis")
      strictEqual(fiber.unsafePoll(), null)
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
      strictEqual(fiber.unsafePoll(), null)
      deepStrictEqual(connects, [])
      controller.abort(reason("ConnectTimeout"))
      // No clock movement: the abort alone ends the attempt.
      const error = yield* Fiber.join(fiber)
      strictEqual(error._tag, "RequestError")
      strictEqual(error.cause, controller.signal.reason)
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
      strictEqual((yield* Fiber.join(fiber))._tag, "RequestError")
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
      strictEqual((yield* Fiber.join(fiber))._tag, "RequestError")
      yield* net.script("GET /slow", [Fault.trickle({ chunkSize: 1, interval: "1 second" }, Reply.text(200, "abc"))])
      const slow = yield* makeAttempt
      const response = (yield* send("/slow", slow.attempt)) as unknown as Transport.BodyReader
      const read = yield* Effect.fork(failure(response[Transport.BodyReaderTypeId](() => true)))
      yield* TestClock.adjust("1500 millis")
      slow.controller.abort(reason("BodyTimeout"))
      const error = yield* Fiber.join(read)
      strictEqual(error._tag, "ResponseError")
      strictEqual(error.reason, "Decode")
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
      strictEqual((yield* failure(send("/x", attempt)))._tag, "RequestError")
      deepStrictEqual(connects, [])
      deepStrictEqual((yield* net.attempts())[0]?.outcome, { _tag: "Aborted", reason: "Aborted", phase: "connect" })
    }).pipe(provide()))

  it.effect("interrupting a hanging request stops it and records the interruption", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /stuck", Scenario.sequence([Fault.hang()], { after: "repeat-last" }))
      const fiber = yield* Effect.fork(HttpClient.get(`${API}/stuck`))
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.interrupt(fiber)
      assertTrue(Exit.isInterrupted(exit))
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
      const defect = Cause.dieOption(exit.cause) as Option.Some<Error>
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
      const message =
        (Cause.dieOption((exit as Exit.Failure<number, unknown>).cause) as Option.Some<Error>).value.message
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

describe("SimulatedNetwork: records", () => {
  it.effect("records time, method, url and headers with secrets redacted, route, step, fault and outcome", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /me", [Fault.reset(), Fault.latency("250 millis", Reply.json(200, {}))])
      yield* failure(
        HttpClient.execute(
          HttpClientRequest.get(`${API}/me?access_token=tok-123&page=2`).pipe(
            HttpClientRequest.bearerToken("super-secret-token"),
            HttpClientRequest.setHeader("cookie", "session=cookie-secret")
          )
        )
      )
      yield* TestClock.adjust("1 second")
      const fiber = yield* Effect.fork(
        HttpClient.get(`${API}/me`, { headers: { authorization: "Basic dXNlcjpwdw==" } })
      )
      yield* TestClock.adjust("250 millis")
      yield* Fiber.join(fiber)
      const timeline = yield* net.timeline
      const text = JSON.stringify(timeline)
      for (const secret of ["super-secret-token", "tok-123", "cookie-secret", "dXNlcjpwdw=="]) {
        assertTrue(!text.includes(secret), `${secret} leaked into the records`)
      }
      const [first, second] = timeline
      strictEqual(first?.url, "http://api.test/me?access_token=<redacted>&page=2")
      strictEqual(first?.headers["authorization"], "<redacted>")
      strictEqual(first?.headers["cookie"], "<redacted>")
      deepStrictEqual(
        { ...first, headers: undefined, url: undefined },
        {
          seq: 0,
          at: 0,
          endedAt: 0,
          method: "GET",
          url: undefined,
          headers: undefined,
          route: "GET /me",
          step: 0,
          fault: "ResetBeforeResponse",
          // which secret went out, without the secret: a fingerprint per redacted header
          fingerprints: {
            authorization: SimulatedNetwork.fingerprint("Bearer super-secret-token"),
            cookie: SimulatedNetwork.fingerprint("session=cookie-secret")
          },
          outcome: { _tag: "Failed", code: "ECONNRESET", phase: "response" }
        }
      )
      deepStrictEqual(
        { seq: second?.seq, at: second?.at, endedAt: second?.endedAt, step: second?.step, outcome: second?.outcome },
        { seq: 1, at: 1000, endedAt: 1250, step: 1, outcome: { _tag: "Response", status: 200 } }
      )
      strictEqual(
        SimulatedNetwork.format(first!),
        "#0 +0ms GET http://api.test/me?access_token=<redacted>&page=2 [ResetBeforeResponse] -> ECONNRESET"
      )
    }).pipe(provide()))

  it.effect("records of the same url and headers sent again share nothing wrong: each shows what it sent, redacted", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /me", Scenario.sequence([Reply.empty(200)], { after: "repeat-last" }))
      const withToken = (token: string) =>
        HttpClientRequest.get(`${API}/me?access_token=${token}`).pipe(HttpClientRequest.bearerToken(token))
      const first = withToken("token-one")
      // the same request object three times, then another token, then the first again
      for (const request of [first, first, first, withToken("token-two"), first]) {
        yield* HttpClient.execute(request)
      }
      const timeline = yield* net.timeline
      const text = JSON.stringify(timeline)
      assertTrue(!text.includes("token-one") && !text.includes("token-two"), "a token leaked into the records")
      deepStrictEqual(
        timeline.map((r) => [r.url, r.headers["authorization"], r.fingerprints["authorization"]]),
        [0, 1, 2, 3, 4].map((i) => [
          "http://api.test/me?access_token=<redacted>",
          "<redacted>",
          SimulatedNetwork.fingerprint(i === 3 ? "Bearer token-two" : "Bearer token-one")
        ])
      )
    }).pipe(provide()))

  it.effect("a header the client alone treats as secret (redirects.sensitiveHeaders) is redacted in the records too", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /me", [Reply.empty(200)])
      const client = yield* Client.make({
        retry: { retries: 0 },
        redirects: { sensitiveHeaders: ["x-upstream-auth"] }
      })
      yield* client.execute(
        HttpClientRequest.get(`${API}/me`).pipe(
          HttpClientRequest.setHeader("x-upstream-auth", "upstream-secret-7"),
          HttpClientRequest.setHeader("x-plain", "visible")
        )
      )
      const [record] = yield* net.timeline
      assertTrue(!JSON.stringify(record).includes("upstream-secret-7"), "the client's secret header leaked")
      strictEqual(record?.headers["x-upstream-auth"], "<redacted>")
      strictEqual(record?.headers["x-plain"], "visible")
      strictEqual(record?.fingerprints["x-upstream-auth"], SimulatedNetwork.fingerprint("upstream-secret-7"))
    }).pipe(Effect.scoped, provide()))

  it.effect("the layer provides HttpClient with the direct transport attached", () =>
    Effect.gen(function*() {
      const net = yield* Net
      const client = yield* HttpClient.HttpClient
      strictEqual(Transport.fromHttpClient(client), net.transport)
      strictEqual(net.transport.tracksConnect, true)
    }).pipe(provide()))
})

// ---------------------------------------------------------------------------

const chaosScenario = (seed: number) =>
  Scenario.make({
    "GET /items": Scenario.chaos({
      seed,
      faults: [
        { fault: Fault.reset(), rate: 0.03 },
        { fault: Fault.status(503, { retryAfter: 1 }), rate: 0.03 },
        { fault: Fault.refused(), rate: 0.02 },
        { fault: Fault.truncate(5, Reply.text(200, "truncated body")), rate: 0.02 }
      ],
      otherwise: Reply.json(200, { ok: true })
    })
  })

/**
 * Exactly 10% chaos, independent of Scenario.chaos's draw: 100 steps that
 * cycle, 10 of them faults.
 */
const tenPercent = Scenario.make({
  "GET /items": Scenario.sequence(
    Array.from({ length: 100 }, (_, i): FaultT =>
      i % 10 !== 3
        ? Reply.json(200, { ok: true })
        : [
          Fault.reset(),
          Fault.status(503, { retryAfter: 1 }),
          Fault.refused(),
          Fault.truncate(5, Reply.text(200, "truncated body")),
          Fault.close()
        ][i % 5]!),
    { after: "cycle" }
  )
})

/**
 * GET /items n times; each result is the status or the error's cause code.
 * Trace propagation is off: its headers carry random ids.
 */
const hammer = (n: number, options: { readonly concurrency?: number } = {}) =>
  Effect.flatMap(HttpClient.HttpClient, (tracedClient) => {
    const client = HttpClient.withTracerPropagation(tracedClient, false)
    return Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      () =>
        client.get(`${API}/items`).pipe(
          Effect.flatMap((r) => Effect.as(r.text, r.status)),
          Effect.catchAll((e) => Effect.succeed(causeOf(e).code ?? "?"))
        ),
      { concurrency: options.concurrency ?? 1 }
    )
  })

describe("SimulatedNetwork: chaos", () => {
  it.effect("the same seed gives the identical timeline twice, even with concurrency and latency", () =>
    Effect.gen(function*() {
      const run = (seed: number) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(hammer(200, { concurrency: 8 }))
          yield* TestClock.adjust("1 minute")
          yield* Fiber.join(fiber)
          return yield* Effect.flatMap(Net, (net) => net.timeline)
        }).pipe(
          // a fresh TestClock at 0 for each run
          Effect.provide(TestContext.TestContext),
          provide(Scenario.make({
            "GET /items": Scenario.chaos({
              seed,
              faults: [
                { fault: Fault.reset(), rate: 0.1 },
                { fault: Fault.latency("1 second", Reply.empty(200)), rate: 0.1 },
                { fault: Fault.status(503), rate: 0.1 }
              ],
              otherwise: Reply.json(200, {})
            })
          }))
        )
      const first = yield* run(42)
      const second = yield* run(42)
      strictEqual(first.length, 200)
      deepStrictEqual(first, second)
      const other = yield* run(43)
      assertTrue(JSON.stringify(other.map((r) => r.fault)) !== JSON.stringify(first.map((r) => r.fault)))
    }))

  it.effect("10,000 requests with 10% chaos (measured, reported, not asserted)", () =>
    Effect.gen(function*() {
      const start = performance.now()
      const results = yield* hammer(10_000)
      const platformMs = performance.now() - start
      strictEqual(results.length, 10_000)
      const failures = results.filter((r) => r !== 200).length
      strictEqual(failures, 1000)
      // the direct transport and body reader, as the core client uses them
      const net = yield* Net
      yield* net.setScenario(tenPercent)
      const directStart = performance.now()
      for (let i = 0; i < 10_000; i++) {
        const { attempt } = yield* makeAttempt
        yield* send("/items", attempt).pipe(
          Effect.flatMap((r) => (r as unknown as Transport.BodyReader)[Transport.BodyReaderTypeId](() => true)),
          Effect.ignore
        )
      }
      const directMs = performance.now() - directStart
      console.log(
        `SimulatedNetwork: 10,000 requests with 10% chaos: platform HttpClient ${platformMs.toFixed(0)} ms ` +
          `(${Math.round(10_000 / platformMs * 1000)} req/s), direct transport ${directMs.toFixed(0)} ms ` +
          `(${Math.round(10_000 / directMs * 1000)} req/s); ${failures} of them failed`
      )
    }).pipe(provide(tenPercent)))
})

describe("Scenario.chaos draws", () => {
  // regression: the draw once ended on a signed int32, so half the draws were
  // negative and the first fault was picked about 50% of the time
  it("a 3% fault is drawn about 3% of the time", () => {
    const route = chaosScenario(7).routes[0]!
    let resets = 0
    for (let i = 0; i < 10_000; i++) if (stepFor(route, i)?._tag === "ResetBeforeResponse") resets++
    assertTrue(resets > 200 && resets < 400, `${resets} of 10000`)
  })
})

describe("SimulatedNetwork: what a route takes", () => {
  it.effect("one step, as well as an array of steps", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /one", Fault.status(503))
      const first = yield* HttpClient.get(`${API}/one`)
      strictEqual(first.status, 503)
      // one step is a sequence that fails loudly after it: the test did not expect a second attempt
      const second = yield* Effect.exit(HttpClient.get(`${API}/one`))
      assertTrue(Exit.isFailure(second) && Cause.isDie(second.cause))
    }).pipe(provide()))

  it.effect("anything else is a type error and, at run time, a TypeError naming the shapes a route takes", () =>
    Effect.gen(function*() {
      const net = yield* Net
      // @ts-expect-error a status number is not a step
      const exit = yield* Effect.exit(net.script("GET /x", 503))
      assertTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause) as Error
      strictEqual(defect.name, "TypeError")
      strictEqual(
        defect.message,
        "steadfast testkit: route \"GET /x\" got 503; a route takes one step (a Fault or Reply, e.g. " +
          "Fault.status(503)), an array of steps, Scenario.sequence([...], { after }) or Scenario.chaos({ ... })."
      )
      // @ts-expect-error a step must be a Fault or a Reply
      const inArray = yield* Effect.exit(net.script("GET /x", [Reply.json(200, {}), { status: 200 }]))
      const message = (Cause.squash((inArray as Exit.Failure<unknown, unknown>).cause) as Error).message
      assertTrue(
        message.startsWith("steadfast testkit: step 2 of route \"GET /x\" is an object without a _tag"),
        message
      )
    }).pipe(provide()))
})
