/**
 * The fault proxy in front of a FaultServer, on real loopback sockets (the
 * delaying toxics are in FaultProxy.delays.test.ts).
 *
 * `it.live` / `it.scopedLive` throughout: the proxy, its upstream and the
 * undici client move real bytes over 127.0.0.1, which TestClock cannot
 * drive. A test about a deadline (reset_peer, timeout) gives the proxy a
 * manual timer and asserts the delay asked for and what happened when it
 * ran; no test measures elapsed time, which would measure how busy the
 * machine is.
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual, notDeepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Effect from "@steadfast/core/line/Effect"
import * as Duration from "effect/Duration"
import * as Fiber from "effect/Fiber"
import { Agent, request } from "undici"
import * as FaultProxy from "../src/FaultProxy.js"
import * as FaultServer from "../src/FaultServer.js"
import {
  agent,
  eventually,
  exchange,
  expectFailure,
  expectResponse,
  raw,
  setup,
  upstreamScenario
} from "./helpers/faultProxy.js"
import { manualTimer } from "./helpers/manualTimer.js"

// ---------------------------------------------------------------------------

describe("FaultProxy", () => {
  it.scopedLive("without toxics it forwards requests and responses unchanged", () =>
    Effect.gen(function*() {
      const { dispatcher, proxy } = yield* setup()
      const outcome = expectResponse(
        yield* exchange(dispatcher, `${proxy.url}/echo`, { method: "POST", body: "payload" })
      )
      const echoed = JSON.parse(outcome.body.toString()) as { method: string; body: string }
      deepStrictEqual([outcome.status, echoed.method, echoed.body], [200, "POST", "payload"])
      deepStrictEqual((yield* proxy.connections).map((c) => [c.index, c.toxics]), [[0, []]])
    }))

  it.scopedLive("reset_peer resets the client (ECONNRESET) after its timeout; upstream, the client sees a close", () =>
    Effect.gen(function*() {
      const timer = manualTimer()
      // the upstream's 300 ms latency waits on a timer nobody runs: it never answers by itself
      const serverTimer = manualTimer()
      const { dispatcher, proxy, server } = yield* setup(
        { timer, toxics: [FaultProxy.resetPeer({ timeout: "100 millis" })] },
        { timer: serverTimer }
      )
      const first = yield* Effect.fork(exchange(dispatcher, `${proxy.url}/slow`))
      // the request reached the server, and the proxy asked for its 100 ms reset on that connection
      assertTrue(yield* serverTimer.awaitPending())
      deepStrictEqual(timer.pending(), [100])
      timer.runNext()
      strictEqual(expectFailure(yield* Fiber.join(first)).error.code, "ECONNRESET")
      // the proxy closed the upstream side too
      assertTrue(yield* eventually(() => Effect.runSync(server.openSockets) === 0))
      yield* proxy.clearToxics
      yield* proxy.setToxic(FaultProxy.resetPeer({ direction: "upstream", timeout: "50 millis" }))
      const second = yield* Effect.fork(exchange(dispatcher, `${proxy.url}/slow`))
      assertTrue(yield* serverTimer.awaitPending())
      deepStrictEqual(timer.pending(), [50])
      timer.runNext()
      strictEqual(expectFailure(yield* Fiber.join(second)).error.code, "UND_ERR_SOCKET")
      assertTrue(yield* eventually(() => Effect.runSync(server.openSockets) === 0))
      deepStrictEqual(timer.requested(), [100, 50])
      deepStrictEqual(serverTimer.requested(), [300, 300])
    }))

  it.scopedLive("timeout drops the response although the server answered; with a timeout it then closes", () =>
    Effect.gen(function*() {
      const timer = manualTimer()
      const { dispatcher, proxy, server } = yield* setup({ timer, toxics: [FaultProxy.timeout()] })
      const dropped = expectFailure(
        yield* exchange(dispatcher, `${proxy.url}/small`, { signal: AbortSignal.timeout(200) })
      )
      strictEqual(dropped.error.name, "TimeoutError")
      // the upstream did answer: the proxy dropped it
      deepStrictEqual((yield* server.attempts).map((a) => [a.route, a.fault]), [["GET /small", "Reply"]])
      // without a timeout the toxic never closes the connection
      deepStrictEqual(timer.requested(), [])
      // (the client's abort closed that connection: the new toxic applies to the next one alone)
      assertTrue(yield* eventually(() => Effect.runSync(proxy.openConnections) === 0))
      yield* proxy.setToxic(FaultProxy.timeout({ timeout: "150 millis" }))
      const pending = yield* Effect.fork(exchange(dispatcher, `${proxy.url}/small`))
      // the server answered, the client got nothing, and the connection is open until the 150 ms run
      assertTrue(yield* eventually(() => Effect.runSync(server.attempts).length === 2))
      deepStrictEqual(timer.pending(), [150])
      timer.runNext()
      strictEqual(expectFailure(yield* Fiber.join(pending)).error.code, "UND_ERR_SOCKET")
    }))

  it.scopedLive("limit_data closes the connection after exactly N bytes of the response", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup({ toxics: [FaultProxy.limitData(120)] })
      const got = yield* raw(proxy.port, "GET /kb HTTP/1.1\r\nhost: x\r\n\r\n")
      strictEqual(got.bytes.length, 120)
      assertTrue(got.bytes.toString().startsWith("HTTP/1.1 200 OK\r\n"))
    }))

  it.scopedLive("down refuses connections (ECONNREFUSED) and closes open ones; up listens again on the same port", () =>
    Effect.gen(function*() {
      const { dispatcher, proxy, server } = yield* setup()
      const url = `${proxy.url}/small`
      const pending = yield* Effect.fork(exchange(dispatcher, `${proxy.url}/hang`))
      // wait until the request went through (a socket closed with unread data sends a RST, not a FIN)
      assertTrue(yield* eventually(() => Effect.runSync(server.attempts).length === 1))
      strictEqual(yield* proxy.openConnections, 1)
      yield* proxy.down
      strictEqual(expectFailure(yield* Fiber.join(pending)).error.code, "UND_ERR_SOCKET")
      strictEqual(expectFailure(yield* exchange(dispatcher, url)).error.code, "ECONNREFUSED")
      strictEqual(yield* proxy.openSockets, 0)
      yield* proxy.up
      strictEqual(expectResponse(yield* exchange(dispatcher, url)).body.toString(), "hello")
    }))

  it.scopedLive("toxicity draws per connection are reproducible with a seed", () =>
    Effect.gen(function*() {
      // Both sides run on manual timers: the upstream holds each answer and
      // the proxy its reset until the test runs them, reset first. So a
      // connection the draw picked is reset after the request reached the
      // upstream (undici never sends it again), however busy the machine is.
      const upstreamTimer = manualTimer()
      const server = yield* FaultServer.make(upstreamScenario, { timer: upstreamTimer })
      const dispatcher = yield* agent
      const run = (seed: number) =>
        Effect.gen(function*() {
          const proxyTimer = manualTimer()
          const proxy = yield* FaultProxy.make({
            upstream: server.urls.http,
            seed,
            timer: proxyTimer,
            toxics: [FaultProxy.resetPeer({ toxicity: 0.5, timeout: "10 millis" })]
          })
          const pattern: Array<string> = []
          for (let i = 0; i < 10; i++) {
            // a new connection per request (connection: close)
            const pending = yield* Effect.fork(exchange(dispatcher, `${proxy.url}/late`, { reset: true }))
            assertTrue(yield* upstreamTimer.awaitPending(1), "the upstream got the request")
            if (proxyTimer.pending().length > 0) strictEqual(proxyTimer.runNext(), 10)
            strictEqual(upstreamTimer.runNext(), 40)
            const outcome = yield* Fiber.join(pending)
            pattern.push(outcome._tag === "Response" ? "ok" : outcome.error.code ?? outcome.error.name)
          }
          const applied = (yield* proxy.connections).map((c) => c.toxics.length === 0 ? "ok" : "ECONNRESET")
          return { pattern, applied }
        })
      const first = yield* run(42)
      const second = yield* run(42)
      const other = yield* run(7)
      deepStrictEqual(second.pattern, first.pattern)
      deepStrictEqual(first.applied, first.pattern)
      assertTrue(first.pattern.includes("ok") && first.pattern.includes("ECONNRESET"), first.pattern.join(","))
      notDeepStrictEqual(other.pattern, first.pattern)
    }))

  it.scopedLive("setToxic replaces a toxic by name", () =>
    Effect.gen(function*() {
      const timer = manualTimer()
      const { dispatcher, proxy } = yield* setup({ timer, toxics: [FaultProxy.latency("300 millis", { name: "lag" })] })
      yield* proxy.setToxic(FaultProxy.latency("20 millis", { name: "lag" }))
      const toxics = yield* proxy.toxics
      deepStrictEqual(toxics.map((t) => t.name), ["lag"])
      const lag = toxics[0]!
      strictEqual(lag._tag === "Latency" ? Duration.toMillis(lag.latency) : undefined, 20)
      const pending = yield* Effect.fork(exchange(dispatcher, `${proxy.url}/small`))
      // the response is held by the new latency, not the old one
      assertTrue(yield* timer.awaitPending())
      deepStrictEqual(timer.pending(), [20])
      timer.runNext()
      strictEqual(expectResponse(yield* Fiber.join(pending)).body.toString(), "hello")
      deepStrictEqual(timer.requested(), [20])
      assertFalse(yield* proxy.removeToxic("nope"))
    }))

  describe("lifecycle", () => {
    const networkHandles = () =>
      process.getActiveResourcesInfo().filter((k) => k === "TCPServerWrap" || k === "TCPSocketWrap").length

    it.live("stop() destroys open connections and leaves no handles behind", () =>
      Effect.gen(function*() {
        const baseline = networkHandles()
        const server = yield* Effect.promise(() => FaultServer.start(upstreamScenario))
        const proxy = yield* Effect.promise(() => FaultProxy.start({ upstream: server.urls.http }))
        const dispatcher = new Agent()
        const hanging = request(`${proxy.url}/hang`, { dispatcher }).then(
          () => "answered",
          (e: NodeJS.ErrnoException) => e.code
        )
        // wait until the request went through (a socket closed with unread data sends a RST, not a FIN)
        assertTrue(yield* eventually(() => server.attempts().length === 1))
        deepStrictEqual([proxy.openConnections(), proxy.openSockets(), proxy.connections().length], [1, 2, 1])
        yield* Effect.promise(() => proxy.stop())
        deepStrictEqual([proxy.openConnections(), proxy.openSockets()], [0, 0])
        strictEqual(yield* Effect.promise(() => hanging), "UND_ERR_SOCKET")
        yield* Effect.promise(() => Promise.all([server.stop(), dispatcher.destroy()]))
        assertTrue(yield* eventually(() => networkHandles() <= baseline), process.getActiveResourcesInfo().join(","))
      }))

    it.live("the layer closes the proxy when its scope closes", () =>
      Effect.gen(function*() {
        const server = yield* Effect.promise(() => FaultServer.start(upstreamScenario))
        const port = yield* Effect.scoped(
          Effect.gen(function*() {
            const proxy = yield* FaultProxy.FaultProxy
            const dispatcher = yield* agent
            strictEqual(expectResponse(yield* exchange(dispatcher, `${proxy.url}/small`)).body.toString(), "hello")
            return proxy.port
          }).pipe(
            Effect.provide(
              FaultProxy.layer({ upstream: { host: "127.0.0.1", port: Number(new URL(server.urls.http).port) } })
            )
          )
        )
        const dispatcher = new Agent()
        const after = yield* exchange(dispatcher, `http://127.0.0.1:${port}/small`)
        strictEqual(expectFailure(after).error.code, "ECONNREFUSED")
        yield* Effect.promise(() => Promise.all([server.stop(), dispatcher.destroy()]))
      }))
  })
})
