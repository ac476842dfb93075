/**
 * The fault server on real loopback sockets.
 *
 * Every test here uses `it.live` / `it.scopedLive`: the server and the undici
 * client under test move real bytes over 127.0.0.1 on the wall clock, which
 * TestClock cannot drive. Waits are bounded and only as long as the fault
 * under test needs. Timings are asserted only from below, by what the server
 * guarantees (a delayed answer or connection never comes before its delay),
 * or as byte counts; never from above, which would measure how busy the
 * machine is.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, it } from "@effect/vitest"
import { assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Effect from "@steadfast/core/line/Effect"
import * as Scope from "effect/Scope"
import * as net from "node:net"
import { Agent, type Dispatcher, request } from "undici"
import { Fault, Reply } from "../src/Fault.js"
import * as FaultServer from "../src/FaultServer.js"
import { exhaustedMessage } from "../src/internal/scenario.js"
import { STEP_HEADER } from "../src/internal/server/scripts.js"
import * as Scenario from "../src/Scenario.js"

// ---------------------------------------------------------------------------
// helpers

type Outcome =
  | {
    readonly _tag: "Response"
    readonly status: number
    readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
    readonly body: Buffer
    readonly chunks: number
    readonly elapsed: number
  }
  | { readonly _tag: "HeadError"; readonly error: NodeJS.ErrnoException; readonly elapsed: number }
  | {
    readonly _tag: "BodyError"
    readonly status: number
    readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
    readonly received: number
    readonly error: NodeJS.ErrnoException
    readonly elapsed: number
  }

type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path" | "method"> & {
  readonly method?: Dispatcher.HttpMethod
}

/** One exchange with undici, its outcome as data (never fails). */
const exchange = (dispatcher: Dispatcher, url: string, options: RequestOptions = {}) =>
  Effect.promise(async (): Promise<Outcome> => {
    const started = performance.now()
    let response: Dispatcher.ResponseData
    try {
      response = await request(url, { ...options, dispatcher })
    } catch (error) {
      return { _tag: "HeadError", error: error as NodeJS.ErrnoException, elapsed: performance.now() - started }
    }
    const parts: Array<Buffer> = []
    try {
      for await (const chunk of response.body) parts.push(chunk as Buffer)
    } catch (error) {
      return {
        _tag: "BodyError",
        status: response.statusCode,
        headers: response.headers,
        received: parts.reduce((n, p) => n + p.length, 0),
        error: error as NodeJS.ErrnoException,
        elapsed: performance.now() - started
      }
    }
    return {
      _tag: "Response",
      status: response.statusCode,
      headers: response.headers,
      body: Buffer.concat(parts),
      chunks: parts.length,
      elapsed: performance.now() - started
    }
  })

const expectResponse = (outcome: Outcome): Extract<Outcome, { _tag: "Response" }> => {
  if (outcome._tag !== "Response") {
    throw new Error(`expected a response, got ${outcome._tag}: ${outcome.error.code} ${outcome.error.message}`)
  }
  return outcome
}

const expectHeadError = (outcome: Outcome): NodeJS.ErrnoException => {
  if (outcome._tag !== "HeadError") throw new Error(`expected an error before the headers, got ${outcome._tag}`)
  return outcome.error
}

const expectBodyError = (outcome: Outcome): Extract<Outcome, { _tag: "BodyError" }> => {
  if (outcome._tag !== "BodyError") {
    throw new Error(
      `expected an error in the body, got ${outcome._tag}${
        outcome._tag === "HeadError" ? ` ${outcome.error.code}` : ""
      }`
    )
  }
  return outcome
}

/** An undici Agent (trusting the test CA) released with the scope, optionally with the interceptor. */
const agent = (
  server: FaultServer.Service,
  options: { readonly interceptor?: boolean; readonly trustCa?: boolean; readonly connectTimeout?: number } = {}
): Effect.Effect<Dispatcher, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() =>
      new Agent({
        connect: {
          ...(options.trustCa === false ? {} : { ca: server.ca }),
          timeout: options.connectTimeout ?? 2_000
        }
      })
    ),
    (a) => Effect.promise(() => a.destroy())
  ).pipe(Effect.map((a): Dispatcher => options.interceptor === false ? a : a.compose(server.interceptor)))

/** Polls `f` until it holds, for at most `ms` (real time, short steps). */
const eventually = (f: () => boolean, ms = 1_000) =>
  Effect.promise(async () => {
    const until = performance.now() + ms
    while (!f() && performance.now() < until) await new Promise((r) => setTimeout(r, 5))
    return f()
  })

const text = (outcome: Outcome) => expectResponse(outcome).body.toString("utf8")

const body100 = Reply.text(200, "0123456789".repeat(10))

const schemes = ["http", "https"] as const

const base = (server: FaultServer.Service, scheme: "http" | "https") =>
  scheme === "http" ? server.urls.http : server.urls.https

// ---------------------------------------------------------------------------

describe("FaultServer", () => {
  describe("faults on an open connection", () => {
    const scenario = Scenario.make({
      "GET /status": Scenario.sequence([Fault.status(503, { retryAfter: 7, headers: { "x-extra": "1" } })], {
        after: "repeat-last"
      }),
      "GET /reset": Scenario.sequence([Fault.reset()], { after: "repeat-last" }),
      "GET /close": Scenario.sequence([Fault.close()], { after: "repeat-last" }),
      "GET /mid": Scenario.sequence([Fault.resetMidBody(10, body100)], { after: "repeat-last" }),
      "GET /truncated": Scenario.sequence([Fault.truncate(10, body100)], { after: "repeat-last" }),
      "GET /malformed": Scenario.sequence([Fault.malformed()], { after: "repeat-last" }),
      "GET /latency": Scenario.sequence([Fault.latency("150 millis", Reply.text(200, "late"))], {
        after: "repeat-last"
      }),
      "GET /trickle": Scenario.sequence(
        [Fault.trickle({ chunkSize: 4, interval: "40 millis" }, Reply.text(200, "abcdefghijklmnopqrst"))],
        { after: "repeat-last" }
      ),
      "GET /hang": Scenario.sequence([Fault.hang()], { after: "repeat-last" })
    })

    for (const scheme of schemes) {
      it.scopedLive(`${scheme}: a status carries its headers and Retry-After`, () =>
        Effect.gen(function*() {
          const server = yield* FaultServer.make(scenario)
          const outcome = expectResponse(yield* exchange(yield* agent(server), `${base(server, scheme)}/status`))
          strictEqual(outcome.status, 503)
          strictEqual(outcome.headers["retry-after"], "7")
          strictEqual(outcome.headers["x-extra"], "1")
          strictEqual(outcome.body.toString(), "status 503")
        }))

      it.scopedLive(`${scheme}: ResetBeforeResponse is an RST before the headers (ECONNRESET)`, () =>
        Effect.gen(function*() {
          const server = yield* FaultServer.make(scenario)
          const error = expectHeadError(yield* exchange(yield* agent(server), `${base(server, scheme)}/reset`))
          strictEqual(error.code, "ECONNRESET")
        }))

      it.scopedLive(`${scheme}: CloseBeforeResponse is a FIN before the headers (UND_ERR_SOCKET)`, () =>
        Effect.gen(function*() {
          const server = yield* FaultServer.make(scenario)
          const error = expectHeadError(yield* exchange(yield* agent(server), `${base(server, scheme)}/close`))
          strictEqual(error.code, "UND_ERR_SOCKET")
        }))

      it.scopedLive(`${scheme}: ResetMidBody sends the headers and 10 of 100 bytes, then an RST (ECONNRESET)`, () =>
        Effect.gen(function*() {
          const server = yield* FaultServer.make(scenario)
          const outcome = expectBodyError(yield* exchange(yield* agent(server), `${base(server, scheme)}/mid`))
          strictEqual(outcome.status, 200)
          strictEqual(outcome.headers["content-length"], "100")
          strictEqual(outcome.received, 10)
          strictEqual(outcome.error.code, "ECONNRESET")
        }))

      it.scopedLive(`${scheme}: Truncated promises 100 bytes, sends 10, then a FIN (UND_ERR_SOCKET)`, () =>
        Effect.gen(function*() {
          const server = yield* FaultServer.make(scenario)
          const outcome = expectBodyError(yield* exchange(yield* agent(server), `${base(server, scheme)}/truncated`))
          strictEqual(outcome.headers["content-length"], "100")
          strictEqual(outcome.received, 10)
          strictEqual(outcome.error.code, "UND_ERR_SOCKET")
        }))

      it.scopedLive(`${scheme}: Malformed bytes fail undici's parser (HTTPParserError)`, () =>
        Effect.gen(function*() {
          const server = yield* FaultServer.make(scenario)
          const error = expectHeadError(yield* exchange(yield* agent(server), `${base(server, scheme)}/malformed`))
          strictEqual(error.name, "HTTPParserError")
        }))
    }

    it.scopedLive("ResponseLatency answers after the delay", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const outcome = expectResponse(yield* exchange(yield* agent(server), `${server.urls.http}/latency`))
        strictEqual(outcome.body.toString(), "late")
        assertTrue(outcome.elapsed >= 145, `answered after ${outcome.elapsed} ms`)
      }))

    it.scopedLive("Trickle sends the headers at once and the body 4 bytes every 40 ms", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const dispatcher = yield* agent(server)
        const started = performance.now()
        const response = yield* Effect.promise(() => request(`${server.urls.http}/trickle`, { dispatcher }))
        // bytes of the body already here when the headers were handed over (all 20 if the headers had waited)
        const bufferedAtHeaders = response.body.readableLength
        const arrivals: Array<number> = []
        const parts: Array<Buffer> = []
        yield* Effect.promise(async () => {
          for await (const chunk of response.body) {
            arrivals.push(performance.now() - started)
            parts.push(chunk as Buffer)
          }
        })
        strictEqual(Buffer.concat(parts).toString(), "abcdefghijklmnopqrst")
        // the headers did not wait for the body: part of it was still to come (a byte count, not a gap
        // between two client-side times, which a busy event loop shrinks)
        assertTrue(bufferedAtHeaders < 20, `${bufferedAtHeaders} body bytes had arrived with the headers`)
        // five chunks, each after a 40 ms wait: the body cannot complete before ~200 ms
        assertTrue(arrivals.at(-1)! >= 195, `body complete after ${arrivals.at(-1)} ms`)
        assertTrue(parts.length >= 3, `the body arrived in ${parts.length} piece(s)`)
      }))

    it.scopedLive("NoResponse keeps the socket open without answering until the client gives up", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const dispatcher = yield* agent(server)
        const fiber = yield* Effect.fork(exchange(dispatcher, `${server.urls.http}/hang`, { headersTimeout: 300 }))
        assertTrue(yield* eventually(() => Effect.runSync(server.openSockets) === 1))
        const error = expectHeadError(yield* fiber.await.pipe(Effect.flatten))
        strictEqual(error.code, "UND_ERR_HEADERS_TIMEOUT")
        // undici destroys its socket on the timeout; the server sees it close
        assertTrue(yield* eventually(() => Effect.runSync(server.openSockets) === 0))
      }))
  })

  describe("connection-level faults through the interceptor", () => {
    const scenario = Scenario.make({
      "GET /refused": Scenario.sequence([Fault.refused()], { after: "repeat-last" }),
      "GET /unreachable": Scenario.sequence([Fault.unreachable()], { after: "repeat-last" }),
      "GET /dns": Scenario.sequence([Fault.dns()], { after: "repeat-last" }),
      "GET /dns-again": Scenario.sequence([Fault.dns({ temporary: true })], { after: "repeat-last" }),
      "GET /self-signed": Scenario.sequence([Fault.tls("self-signed")], { after: "repeat-last" }),
      "GET /expired": Scenario.sequence([Fault.tls("expired")], { after: "repeat-last" }),
      "GET /wrong-host": Scenario.sequence([Fault.tls("hostname-mismatch")], { after: "repeat-last" }),
      "GET /handshake": Scenario.sequence([Fault.tls("handshake")], { after: "repeat-last" }),
      "GET /connect-hang": Scenario.sequence([Fault.connectHang()], { after: "repeat-last" }),
      "GET /slow-connect": Scenario.sequence([Fault.connectLatency("150 millis", Reply.text(200, "connected"))], {
        after: "repeat-last"
      }),
      "GET /slow-refused": Scenario.sequence([Fault.connectLatency("60 millis", Fault.refused())], {
        after: "repeat-last"
      })
    })

    const codes: ReadonlyArray<readonly [string, string]> = [
      ["/refused", "ECONNREFUSED"],
      ["/unreachable", "EADDRNOTAVAIL"],
      ["/dns", "ENOTFOUND"],
      ["/dns-again", "EAI_AGAIN"],
      ["/self-signed", "DEPTH_ZERO_SELF_SIGNED_CERT"],
      ["/expired", "CERT_HAS_EXPIRED"],
      ["/wrong-host", "ERR_TLS_CERT_ALTNAME_INVALID"],
      ["/handshake", "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE"],
      ["/connect-hang", "UND_ERR_CONNECT_TIMEOUT"]
    ]

    for (const scheme of schemes) {
      it.scopedLive(`${scheme}: each connection-level fault fails with its real error code`, () =>
        Effect.gen(function*() {
          const server = yield* FaultServer.make(scenario)
          const dispatcher = yield* agent(server, { connectTimeout: 300 })
          for (const [path, code] of codes) {
            const error = expectHeadError(yield* exchange(dispatcher, `${base(server, scheme)}${path}`))
            strictEqual(error.code, code, `${scheme} ${path}: ${error.message}`)
          }
          // drawn by the interceptor only: no request reached the primary listener
          const attempts = yield* server.attempts
          strictEqual(attempts.length, codes.length)
          assertTrue(attempts.every((a) => a.via === "interceptor"))
        }))
    }

    it.scopedLive("Refused connects to a released port: a real ECONNREFUSED from connect()", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const error = expectHeadError(yield* exchange(yield* agent(server), `${server.urls.http}/refused`))
        strictEqual(error.syscall, "connect")
        strictEqual(`http://127.0.0.1:${(error as NodeJS.ErrnoException & { port: number }).port}`, server.urls.refused)
      }))

    it.scopedLive("Unreachable fails in bind() on a TEST-NET source address, before any packet is sent", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const error = expectHeadError(yield* exchange(yield* agent(server), `${server.urls.http}/unreachable`))
        strictEqual(error.code, "EADDRNOTAVAIL")
        strictEqual(error.syscall, "bind")
        const address = (error as NodeJS.ErrnoException & { address: string }).address
        assertTrue(/^(198\.51\.100|203\.0\.113|192\.0\.2)\./.test(address), address)
      }))

    it.scopedLive("DnsFailure has exactly the shape of Node's getaddrinfo errors", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const dispatcher = yield* agent(server)
        const notFound = expectHeadError(yield* exchange(dispatcher, `${server.urls.http}/dns`))
        const again = expectHeadError(yield* exchange(dispatcher, `${server.urls.https}/dns-again`))
        deepStrictEqual(
          { ...notFound, message: notFound.message },
          {
            errno: -3008,
            code: "ENOTFOUND",
            syscall: "getaddrinfo",
            hostname: "127.0.0.1",
            message: "getaddrinfo ENOTFOUND 127.0.0.1"
          }
        )
        deepStrictEqual(
          { ...again, message: again.message },
          {
            errno: -3001,
            code: "EAI_AGAIN",
            syscall: "getaddrinfo",
            hostname: "127.0.0.1",
            message: "getaddrinfo EAI_AGAIN 127.0.0.1"
          }
        )
      }))

    it.scopedLive("ConnectLatency holds the request for the delay, then applies `then`", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const dispatcher = yield* agent(server)
        const ok = expectResponse(yield* exchange(dispatcher, `${server.urls.https}/slow-connect`))
        strictEqual(ok.body.toString(), "connected")
        assertTrue(ok.elapsed >= 145, `connected after ${ok.elapsed} ms`)
        const refused = yield* exchange(dispatcher, `${server.urls.http}/slow-refused`)
        strictEqual(expectHeadError(refused).code, "ECONNREFUSED")
        assertTrue(refused.elapsed >= 55, `refused after ${refused.elapsed} ms`)
      }))

    it.scopedLive("without the interceptor a connection-level step is a 500 that says the interceptor is needed", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const outcome = expectResponse(
          yield* exchange(yield* agent(server, { interceptor: false }), `${server.urls.http}/refused`)
        )
        strictEqual(outcome.status, 500)
        assertInclude(outcome.body.toString(), "interceptor")
        deepStrictEqual((yield* server.attempts).map((a) => [a.via, a.fault]), [["server", "Refused"]])
      }))
  })

  describe("TLS listeners and the test CA", () => {
    it.scopedLive("a client that trusts the CA gets a verified connection to the https listener; one that does not is refused", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make({ "GET /ok": [Reply.text(200, "ok")] }))
        const trusted = expectResponse(
          yield* exchange(yield* agent(server, { interceptor: false }), `${server.urls.https}/ok`)
        )
        strictEqual(trusted.body.toString(), "ok")
        const untrusted = yield* exchange(
          yield* agent(server, { interceptor: false, trustCa: false }),
          `${server.urls.https}/ok`
        )
        strictEqual(expectHeadError(untrusted).code, "UNABLE_TO_VERIFY_LEAF_SIGNATURE")
      }))

    it.scopedLive("the bad listeners fail with their TLS codes, even for a client that trusts the CA", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make([]))
        const dispatcher = yield* agent(server, { interceptor: false, connectTimeout: 200 })
        const cases: ReadonlyArray<readonly [string, string]> = [
          [server.urls.selfSigned, "DEPTH_ZERO_SELF_SIGNED_CERT"],
          [server.urls.expired, "CERT_HAS_EXPIRED"],
          [server.urls.wrongHost, "ERR_TLS_CERT_ALTNAME_INVALID"],
          [server.urls.handshake, "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE"],
          [server.urls.connectHang, "UND_ERR_CONNECT_TIMEOUT"],
          [server.urls.refused, "ECONNREFUSED"]
        ]
        for (const [url, code] of cases) {
          strictEqual(expectHeadError(yield* exchange(dispatcher, `${url}/`)).code, code, url)
        }
      }))

    it.scopedLive("a client that turns verification off reaches a bad listener and gets a 421 saying so", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make([]))
        const insecure = yield* Effect.acquireRelease(
          Effect.sync(() => new Agent({ connect: { rejectUnauthorized: false } })),
          (a) => Effect.promise(() => a.destroy())
        )
        const outcome = expectResponse(yield* exchange(insecure, `${server.urls.expired}/`))
        strictEqual(outcome.status, 421)
        assertInclude(outcome.body.toString(), "should reject")
      }))
  })

  describe("scripts", () => {
    it.scopedLive("with the interceptor, a route's steps advance per attempt and other routes keep their own count", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make({
          "GET /items": [Fault.refused(), Fault.reset(), Fault.status(503, { retryAfter: 2 }), Reply.json(200, [1])],
          "GET /other": Scenario.sequence([Reply.text(200, "other")], { after: "repeat-last" })
        }))
        const dispatcher = yield* agent(server)
        const url = `${server.urls.http}/items`
        strictEqual(expectHeadError(yield* exchange(dispatcher, url)).code, "ECONNREFUSED")
        strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/other`)), "other")
        strictEqual(expectHeadError(yield* exchange(dispatcher, url)).code, "ECONNRESET")
        const limited = expectResponse(yield* exchange(dispatcher, url))
        strictEqual(limited.status, 503)
        strictEqual(limited.headers["retry-after"], "2")
        strictEqual(text(yield* exchange(dispatcher, url)), "[1]")
        strictEqual(yield* server.hits("GET /items"), 4)
        strictEqual(yield* server.hits("GET /other"), 1)
        deepStrictEqual(
          (yield* server.attempts).filter((a) => a.route === "GET /items").map((a) => [a.via, a.step, a.fault]),
          [
            ["interceptor", 0, "Refused"],
            ["interceptor", 1, "ResetBeforeResponse"],
            ["interceptor", 2, "Reply"],
            ["interceptor", 3, "Reply"]
          ]
        )
        deepStrictEqual(yield* server.exhausted, [])
      }))

    it.scopedLive("without the interceptor, the server's own counter advances the script", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make({
          "GET /items": [Fault.status(503), Fault.reset(), Reply.json(200, [1])]
        }))
        const dispatcher = yield* agent(server, { interceptor: false })
        const url = `${server.urls.https}/items`
        strictEqual(expectResponse(yield* exchange(dispatcher, url)).status, 503)
        strictEqual(expectHeadError(yield* exchange(dispatcher, url)).code, "ECONNRESET")
        strictEqual(text(yield* exchange(dispatcher, url)), "[1]")
        deepStrictEqual((yield* server.attempts).map((a) => [a.via, a.step, a.fault]), [
          ["server", 0, "Reply"],
          ["server", 1, "ResetBeforeResponse"],
          ["server", 2, "Reply"]
        ])
      }))

    it.scopedLive("after: \"fail\" answers 500 with the exhausted message and remembers it", () =>
      Effect.gen(function*() {
        const route = Scenario.route("GET /once", [Reply.text(200, "once")])
        const server = yield* FaultServer.make(Scenario.make([route]))
        for (const interceptor of [true, false]) {
          yield* server.setScript("GET /once", [Reply.text(200, "once")])
          const dispatcher = yield* agent(server, { interceptor })
          strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/once`)), "once")
          const second = expectResponse(yield* exchange(dispatcher, `${server.urls.http}/once`))
          strictEqual(second.status, 500)
          strictEqual(second.body.toString(), exhaustedMessage(route, 1))
        }
        deepStrictEqual(
          (yield* server.exhausted).map((e) => [e.route, e.attempt, e.message]),
          [
            ["GET /once", 2, exhaustedMessage(route, 1)],
            ["GET /once", 2, exhaustedMessage(route, 1)]
          ]
        )
      }))

    it.scopedLive("setScript replaces a route's script while running; an unknown key adds a route", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make({
          "GET /s": Scenario.sequence([Reply.text(200, "a")], { after: "repeat-last" })
        }))
        const dispatcher = yield* agent(server)
        strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/s`)), "a")
        strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/s`)), "a")
        yield* server.setScript("GET /s", [Reply.text(200, "b"), Reply.text(200, "c")])
        strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/s`)), "b")
        strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/s`)), "c")
        strictEqual(yield* server.hits("GET /s"), 4)
        strictEqual(expectResponse(yield* exchange(dispatcher, `${server.urls.http}/new`)).status, 404)
        yield* server.setScript("GET /new", Scenario.sequence([Reply.text(201, "new")], { after: "cycle" }))
        const created = expectResponse(yield* exchange(dispatcher, `${server.urls.http}/new`))
        deepStrictEqual([created.status, created.body.toString()], [201, "new"])
      }))

    it.scopedLive("the first matching route wins", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make({
          "GET /items/special": Scenario.sequence([Reply.text(200, "special")], { after: "repeat-last" }),
          "* /items/*": Scenario.sequence([Reply.text(200, "any item")], { after: "repeat-last" })
        }))
        const dispatcher = yield* agent(server)
        strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/items/special`)), "special")
        strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/items/7`, { method: "DELETE" })), "any item")
      }))

    it.scopedLive("attempts are recorded with the route, step, fault and redacted headers", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make({ "POST /login": [Reply.json(200, { ok: true })] }))
        const before = Date.now()
        yield* exchange(yield* agent(server), `${server.urls.http}/login?token=abc&page=2`, {
          method: "POST",
          headers: { authorization: "Bearer secret", "x-request-id": "r1" },
          body: "{}"
        })
        const [attempt] = yield* server.attempts
        assertTrue(attempt !== undefined)
        strictEqual(attempt.method, "POST")
        strictEqual(attempt.url, `${server.urls.http}/login?token=<redacted>&page=2`)
        strictEqual(attempt.headers["authorization"], "<redacted>")
        strictEqual(attempt.headers["x-request-id"], "r1")
        deepStrictEqual([attempt.route, attempt.step, attempt.fault, attempt.via], [
          "POST /login",
          0,
          "Reply",
          "interceptor"
        ])
        assertTrue(attempt.at >= before && attempt.at <= Date.now())
      }))
  })

  describe("echo and redirects", () => {
    const scenario = Scenario.make({
      "* /echo": Scenario.sequence([Reply.echo(201)], { after: "repeat-last" }),
      "GET /away": Scenario.sequence([Fault.redirect(302, "/landing?from=away", "secondary")], {
        after: "repeat-last"
      }),
      "GET /down": Scenario.sequence([Fault.redirect(301, "/plain", "insecure")], { after: "repeat-last" }),
      "GET /a": Scenario.sequence([Fault.redirect(307, "/b")], { after: "repeat-last" }),
      "GET /b": Scenario.sequence([Fault.redirect(308, "/a")], { after: "repeat-last" })
    })

    it.scopedLive("Echo returns the request as received; the interceptor strips nothing but its own header", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const outcome = expectResponse(
          yield* exchange(yield* agent(server), `${server.urls.https}/echo?q=1`, {
            method: "PUT",
            headers: { authorization: "Bearer t", "x-custom": "yes" },
            body: "payload"
          })
        )
        strictEqual(outcome.status, 201)
        const echoed = JSON.parse(outcome.body.toString()) as {
          method: string
          url: string
          headers: Record<string, string>
          body: string
        }
        strictEqual(echoed.method, "PUT")
        strictEqual(echoed.url, `${server.urls.https}/echo?q=1`)
        strictEqual(echoed.body, "payload")
        strictEqual(echoed.headers["authorization"], "Bearer t")
        strictEqual(echoed.headers["x-custom"], "yes")
        strictEqual(echoed.headers[STEP_HEADER], undefined)
      }))

    it.scopedLive("a cross-origin redirect points at the secondary, which echoes what a manual follow sent", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const dispatcher = yield* agent(server)
        for (const scheme of schemes) {
          const redirect = expectResponse(yield* exchange(dispatcher, `${base(server, scheme)}/away`))
          strictEqual(redirect.status, 302)
          const secondary = scheme === "http" ? server.urls.secondaryHttp : server.urls.secondaryHttps
          const location = redirect.headers["location"] as string
          strictEqual(location, `${secondary}/landing?from=away`)
          // follow by hand, the way a client that keeps (or drops) headers would
          const echoed = JSON.parse(text(
            yield* exchange(dispatcher, location, {
              headers: { cookie: "session=1", "x-trace": "t1" }
            })
          )) as { method: string; url: string; headers: Record<string, string> }
          strictEqual(echoed.method, "GET")
          strictEqual(echoed.url, location)
          strictEqual(echoed.headers["cookie"], "session=1")
          strictEqual(echoed.headers["x-trace"], "t1")
        }
        const secondaryRecords = (yield* server.attempts).filter((a) => a.via === "secondary")
        strictEqual(secondaryRecords.length, 2)
        strictEqual(secondaryRecords[0]!.headers["cookie"], "<redacted>")
      }))

    it.scopedLive("an insecure redirect from https points at the plain-http primary", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const redirect = expectResponse(yield* exchange(yield* agent(server), `${server.urls.https}/down`))
        strictEqual(redirect.status, 301)
        strictEqual(redirect.headers["location"], `${server.urls.http}/plain`)
      }))

    it.scopedLive("a redirect loop keeps bouncing between its routes", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const dispatcher = yield* agent(server)
        let url = `${server.urls.http}/a`
        const seen: Array<string> = []
        for (let hop = 0; hop < 6; hop++) {
          const outcome = expectResponse(yield* exchange(dispatcher, url))
          seen.push(`${outcome.status} ${outcome.headers["location"]}`)
          url = new URL(outcome.headers["location"] as string, url).href
        }
        deepStrictEqual(seen, ["307 /b", "308 /a", "307 /b", "308 /a", "307 /b", "308 /a"])
        deepStrictEqual([yield* server.hits("GET /a"), yield* server.hits("GET /b")], [3, 3])
      }))
  })

  describe("the platform client", () => {
    it.scopedLive("NodeHttpClient.makeUndici over the interceptor sees the scripted faults", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(Scenario.make({
          "GET /items": [Fault.refused(), Fault.close(), Reply.json(200, { items: [1, 2] })]
        }))
        const client = NodeHttpClient.makeUndici(yield* agent(server))
        const causeCode = (error: { readonly cause?: unknown }) => (error.cause as NodeJS.ErrnoException).code
        const refused = yield* Effect.flip(client.get(`${server.urls.http}/items`))
        strictEqual(refused._tag, "RequestError")
        strictEqual(causeCode(refused), "ECONNREFUSED")
        const closed = yield* Effect.flip(client.get(`${server.urls.http}/items`))
        strictEqual(causeCode(closed), "UND_ERR_SOCKET")
        const body = yield* client.get(`${server.urls.http}/items`).pipe(Effect.flatMap((r) => r.json))
        deepStrictEqual(body, { items: [1, 2] })
      }))
  })

  describe("lifecycle", () => {
    const counts = () => {
      const out: Record<string, number> = {}
      for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1
      return out
    }
    const networkHandles = () => {
      const c = counts()
      return (c["TCPServerWrap"] ?? 0) + (c["TCPSocketWrap"] ?? 0) + (c["TLSWrap"] ?? 0) + (c["MessagePort"] ?? 0)
    }

    /** What a plain TCP connect to the port gives within `within` ms: "connected", "pending" or the error code. */
    const connectCode = (port: number, within = 1_000) =>
      Effect.promise(() =>
        new Promise<string | undefined>((resolve) => {
          const socket = net.connect({ host: "127.0.0.1", port })
          const timer = setTimeout(() => {
            socket.destroy()
            resolve("pending")
          }, within)
          socket.once("connect", () => {
            clearTimeout(timer)
            socket.destroy()
            resolve("connected")
          })
          socket.once("error", (e: NodeJS.ErrnoException) => {
            clearTimeout(timer)
            resolve(e.code)
          })
        })
      )

    it.live("stop() destroys open sockets, closes everything it opened and leaves no handles behind", () =>
      Effect.gen(function*() {
        const baseline = networkHandles()
        const handle = yield* Effect.promise(() =>
          FaultServer.start(Scenario.make({
            "GET /hang": Scenario.sequence([Fault.hang()], { after: "repeat-last" }),
            "GET /blackhole": Scenario.sequence([Fault.connectHang()], { after: "repeat-last" }),
            "GET /unreachable": Scenario.sequence([Fault.unreachable()], { after: "repeat-last" }),
            "GET /later": Scenario.sequence([Fault.connectLatency("10 seconds")], { after: "repeat-last" })
          }))
        )
        const dispatcher = new Agent({ connect: { ca: handle.ca, timeout: 300 } }).compose(handle.interceptor)
        // the lazily made internal Agent and black hole
        yield* Effect.promise(() => request(`${handle.urls.http}/unreachable`, { dispatcher }).catch(() => undefined))
        const timedOut = yield* Effect.promise(() =>
          request(`${handle.urls.http}/blackhole`, { dispatcher }).then(() => "answered", (e: Error) => e.message)
        )
        const blackHolePort = Number(/attempted address: 127\.0\.0\.1:(\d+)/.exec(timedOut)?.[1])
        assertTrue(blackHolePort > 0, timedOut)
        strictEqual(yield* connectCode(blackHolePort, 100), "pending")
        // a hanging exchange on each primary listener, and a request held by the interceptor
        const held = request(`${handle.urls.http}/later`, { dispatcher }).then(
          () => "answered",
          (e: Error) => e.message
        )
        const hangs = [handle.urls.http, handle.urls.https].map((u) =>
          request(`${u}/hang`, { dispatcher }).then(() => "answered", () => "failed")
        )
        assertTrue(yield* eventually(() => handle.openSockets() === 2), `open: ${handle.openSockets()}`)
        assertTrue(networkHandles() > baseline)

        yield* Effect.promise(() => handle.stop())
        strictEqual(handle.openSockets(), 0)
        assertInclude(yield* Effect.promise(() => held), "stopped")
        deepStrictEqual(yield* Effect.promise(() => Promise.all(hangs)), ["failed", "failed"])
        yield* Effect.promise(() => (dispatcher as unknown as Agent).destroy())
        // the black hole (a worker thread, invisible to getActiveResourcesInfo) is gone too
        strictEqual(yield* connectCode(blackHolePort, 1_000), "ECONNREFUSED")
        assertTrue(yield* eventually(() => networkHandles() <= baseline), `handles: ${JSON.stringify(counts())}`)
      }))

    it.live("the layer stops the server when its scope closes", () =>
      Effect.gen(function*() {
        const baseline = networkHandles()
        const http = yield* Effect.scoped(
          Effect.gen(function*() {
            const server = yield* FaultServer.FaultServer
            const dispatcher = yield* agent(server)
            strictEqual(text(yield* exchange(dispatcher, `${server.urls.http}/ok`)), "ok")
            return server.urls.http
          }).pipe(Effect.provide(FaultServer.layer(Scenario.make({ "GET /ok": [Reply.text(200, "ok")] }))))
        )
        strictEqual(yield* connectCode(Number(new URL(http).port)), "ECONNREFUSED")
        assertTrue(yield* eventually(() => networkHandles() <= baseline), `handles: ${JSON.stringify(counts())}`)
      }))
  })
})
