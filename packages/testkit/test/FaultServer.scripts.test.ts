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
import { undiciClient } from "#testline/platformNode"
import { describe, it } from "@effect/vitest"
import { assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { platformFields } from "@steadfast/core/line/platformReason"
import * as Effect from "effect/Effect"
import * as net from "node:net"
import { Agent, request } from "undici"
import { Fault, Reply } from "../src/Fault.js"
import * as FaultServer from "../src/FaultServer.js"
import { exhaustedMessage } from "../src/internal/scenario.js"
import { STEP_HEADER } from "../src/internal/server/scripts.js"
import * as Scenario from "../src/Scenario.js"

import {
  agent,
  base,
  eventually,
  exchange,
  expectHeadError,
  expectResponse,
  handshakeFailure,
  schemes,
  text
} from "./helpers/faultServer.js"
import { manualTimer } from "./helpers/manualTimer.js"

describe("FaultServer", () => {
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
          [server.urls.handshake, handshakeFailure],
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
        // records are stamped with the server's timer (the wall clock by default)
        const login = Scenario.make({ "POST /login": [Reply.json(200, { ok: true })] })
        const server = yield* FaultServer.make(login, { timer: manualTimer(1_767_225_600_000) })
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
        strictEqual(attempt.at, 1_767_225_600_000)
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
        const client = undiciClient(yield* agent(server))
        // the platform's error read in the Effect 3 shape (Effect 4: one HttpClientError with a reason)
        const fields = (error: object) => platformFields(error)
        const causeCode = (error: object) => (fields(error)?.cause as NodeJS.ErrnoException | undefined)?.code
        const refused = yield* Effect.flip(client.get(`${server.urls.http}/items`))
        strictEqual(fields(refused)?.kind, "RequestError")
        strictEqual(fields(refused)?.reason, "Transport")
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
