import { countForks, exitNow, type ForkCount } from "#testline/fibers"
import { Item, itemClient } from "#testline/httpApi"
import { requestErrorTag } from "#testline/platform"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as TestClock from "@steadfast/core/line/TestClock"
import { currentTimeMillis } from "@steadfast/core/line/unsafe"
import { urlParamsEntries } from "@steadfast/core/line/urlParams"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { errors as undiciErrors } from "undici"
import { Fault, type Fault as FaultT, Reply } from "../src/Fault.js"
import * as Scenario from "../src/Scenario.js"
import { API, causeOf, failure, fieldsOf, makeAttempt, Net, provide, send } from "./helpers/simulated.js"

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
      const net = yield* Net
      yield* net.script("GET /items/*", [Reply.json(200, { id: 7, name: "seven" }), Fault.reset()])
      const getItem = yield* itemClient(API)
      deepStrictEqual(yield* getItem(7), new Item({ id: 7, name: "seven" }))
      const error = yield* failure(getItem(7))
      strictEqual(error._tag, requestErrorTag)
      strictEqual(fieldsOf(error as HttpClientError.HttpClientError).reason, "Transport")
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
      deepStrictEqual(urlParamsEntries(yield* response.urlParamsBody), [["a", "1"], ["b", "two"]])
      strictEqual(response.cookies.cookies["sid"]?.value, "abc")
      const streamed = yield* Stream.runCollect((yield* HttpClient.get(`${API}/form`)).stream)
      strictEqual(new TextDecoder().decode(Array.from(streamed)[0]), "a=1&b=two")
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
      const counter: ForkCount = { forks: 0 }
      yield* Effect.gen(function*() {
        const response = yield* HttpClient.get(`${API}/cheap`)
        yield* response.json
        const { attempt } = yield* makeAttempt
        const direct = yield* send("/cheap", attempt)
        yield* (direct as unknown as Transport.BodyReader)[Transport.BodyReaderTypeId](() => true)
      }).pipe(countForks(counter))
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
        strictEqual(error._tag, requestErrorTag)
        strictEqual(fieldsOf(error).kind, "RequestError")
        strictEqual(fieldsOf(error).reason, "Transport")
        const cause = causeOf(error)
        strictEqual(cause.code ?? cause.name, code)
        check(fieldsOf(error).cause)
        // A failure before connected() proves the request never left.
        strictEqual(connectCalls.length, connects ? 1 : 0)
        const [record] = yield* net.attempts("GET /x")
        deepStrictEqual(record?.outcome, { _tag: "Failed", code, phase: connects ? "response" : "connect" })
        // The platform client fails the same way.
        yield* net.script("GET /x", [fault])
        const viaPlatform = yield* failure(HttpClient.get(`${API}/x`))
        strictEqual(fieldsOf(viaPlatform).kind, "RequestError")
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
      strictEqual(fieldsOf(error).kind, "ResponseError")
      strictEqual(fieldsOf(error).reason, "Decode")
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
        seen.push([currentTimeMillis(clock), new TextDecoder().decode(chunk)])
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
      strictEqual(exitNow(fiber), undefined)
      yield* TestClock.adjust("1 second")
      strictEqual(yield* Fiber.join(fiber), "hello world")
    }).pipe(provide()))
})

// ---------------------------------------------------------------------------
