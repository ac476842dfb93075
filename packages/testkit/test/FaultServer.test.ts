/**
 * The fault server on real loopback sockets.
 *
 * Every test here uses `it.live` / `it.scopedLive`: the server and the undici
 * client under test move real bytes over 127.0.0.1, which TestClock cannot
 * drive. A test about a delay gives the server a manual timer (its `timer`
 * option) and asserts the delays the server asked for and what the client
 * had received before and after each one ran; no test measures elapsed
 * time, which would measure how busy the machine is.
 */
import { describe, it } from "@effect/vitest"
import { assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Effect from "@steadfast/core/line/Effect"
import * as Fiber from "effect/Fiber"
import { Fault, Reply } from "../src/Fault.js"
import * as FaultServer from "../src/FaultServer.js"
import * as Scenario from "../src/Scenario.js"

import {
  agent,
  base,
  body100,
  eventually,
  exchange,
  expectBodyError,
  expectHeadError,
  expectResponse,
  handshakeFailure,
  schemes
} from "./helpers/faultServer.js"
import { manualTimer } from "./helpers/manualTimer.js"
import { headEnd, rawClient, responses } from "./helpers/rawClient.js"

const portOf = (url: string) => Number(new URL(url).port)

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
        const timer = manualTimer()
        const server = yield* FaultServer.make(scenario, { timer })
        const client = yield* rawClient(portOf(server.urls.http))
        client.send("GET /latency HTTP/1.1\r\nhost: x\r\n\r\n")
        // the step is drawn; the answer waits on the 150 ms the server asked for
        assertTrue(yield* timer.awaitPending())
        deepStrictEqual(timer.pending(), [150])
        deepStrictEqual((yield* server.attempts).map((a) => a.fault), ["ResponseLatency"])
        strictEqual(client.received().length, 0)
        timer.runNext()
        assertTrue(yield* eventually(() => responses(client.received()) === 1))
        assertTrue(client.received().toString().endsWith("late"))
        deepStrictEqual(timer.requested(), [150])
      }))

    it.scopedLive("Trickle sends the headers at once and the body 4 bytes every 40 ms", () =>
      Effect.gen(function*() {
        const timer = manualTimer()
        const server = yield* FaultServer.make(scenario, { timer })
        const client = yield* rawClient(portOf(server.urls.http))
        client.send("GET /trickle HTTP/1.1\r\nhost: x\r\n\r\n")
        // the headers come before any wait
        assertTrue(yield* eventually(() => headEnd(client.received()) !== -1))
        const head = headEnd(client.received())
        let body = ""
        for (const piece of ["abcd", "efgh", "ijkl", "mnop", "qrst"]) {
          // each piece waits on a 40 ms timer: until it runs, nothing more of the body arrives
          assertTrue(yield* timer.awaitPending())
          deepStrictEqual(timer.pending(), [40])
          strictEqual(client.received().subarray(head).toString(), body)
          timer.runNext()
          body += piece
          assertTrue(yield* eventually(() => client.received().subarray(head).toString() === body))
        }
        deepStrictEqual(timer.requested(), [40, 40, 40, 40, 40])
        strictEqual(responses(client.received()), 1)
      }))

    it.scopedLive("NoResponse keeps the socket open without answering until the client gives up", () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const dispatcher = yield* agent(server)
        const fiber = yield* Effect.fork(exchange(dispatcher, `${server.urls.http}/hang`, { headersTimeout: 300 }))
        assertTrue(yield* eventually(() => Effect.runSync(server.openSockets) === 1))
        const error = expectHeadError(yield* Fiber.join(fiber))
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
      ["/handshake", handshakeFailure],
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
        const timer = manualTimer()
        const server = yield* FaultServer.make(scenario, { timer })
        const dispatcher = yield* agent(server)
        const connecting = yield* Effect.fork(exchange(dispatcher, `${server.urls.https}/slow-connect`))
        // drawn by the interceptor, and held on the 150 ms it asked for: no socket reached a listener yet
        assertTrue(yield* timer.awaitPending())
        deepStrictEqual(timer.pending(), [150])
        deepStrictEqual((yield* server.attempts).map((a) => [a.via, a.fault]), [["interceptor", "ConnectLatency"]])
        strictEqual(yield* server.openSockets, 0)
        timer.runNext()
        strictEqual(expectResponse(yield* Fiber.join(connecting)).body.toString(), "connected")
        // the https connection stays open (keep-alive); the refused one never opens a socket at all
        const open = yield* server.openSockets
        const refusing = yield* Effect.fork(exchange(dispatcher, `${server.urls.http}/slow-refused`))
        assertTrue(yield* timer.awaitPending())
        deepStrictEqual(timer.pending(), [60])
        timer.runNext()
        strictEqual(expectHeadError(yield* Fiber.join(refusing)).code, "ECONNREFUSED")
        strictEqual(yield* server.openSockets, open)
        deepStrictEqual(timer.requested(), [150, 60])
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
})
