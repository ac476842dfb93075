/**
 * The fault proxy in front of a FaultServer, on real loopback sockets.
 *
 * `it.live` / `it.scopedLive` throughout: the proxy, its upstream and the
 * undici client move real bytes over 127.0.0.1 on the wall clock, which
 * TestClock cannot drive. Waits are bounded and only as long as the toxic
 * under test needs. Timings are asserted only from below, by what the proxy
 * guarantees (a chunk is never forwarded before its delay); never from above,
 * which would measure how busy the machine is.
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual, notDeepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Effect from "@steadfast/core/line/Effect"
import * as Duration from "effect/Duration"
import * as Fiber from "effect/Fiber"
import { Agent, request } from "undici"
import * as FaultProxy from "../src/FaultProxy.js"
import * as FaultServer from "../src/FaultServer.js"
import { prng } from "../src/internal/proxy/link.js"
import { hash } from "../src/internal/seeded.js"
import {
  agent,
  eventually,
  exchange,
  expectFailure,
  expectResponse,
  kb,
  raw,
  rawConnection,
  roundTrip,
  setup,
  upstreamScenario
} from "./helpers/faultProxy.js"

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

  it.scopedLive("latency delays the response (downstream) or the request (upstream); changes apply to the open connection", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup()
      // one keep-alive connection for the whole test
      const socket = yield* rawConnection(proxy.port)
      const get = roundTrip(socket, "GET /small HTTP/1.1\r\nhost: x\r\n\r\n")
      yield* proxy.setToxic(FaultProxy.latency("150 millis"))
      const down = yield* get
      strictEqual(down.body, "hello")
      assertTrue(down.elapsed >= 145, `downstream latency: ${down.elapsed} ms`)
      yield* proxy.removeToxic("latency_downstream")
      yield* proxy.setToxic(FaultProxy.latency("120 millis", { direction: "upstream" }))
      const up = yield* get
      assertTrue(up.elapsed >= 115, `upstream latency: ${up.elapsed} ms`)
      yield* proxy.clearToxics
      deepStrictEqual(yield* proxy.toxics, [])
      strictEqual((yield* get).body, "hello")
      strictEqual((yield* proxy.connections).length, 1)
    }))

  it.scopedLive("latency holds every chunk of a multi-chunk response, not only the first", () =>
    Effect.gen(function*() {
      const { dispatcher, proxy } = yield* setup({ toxics: [FaultProxy.latency("200 millis")] })
      // the upstream sends its headers at once, then 4 chunks 30 ms apart (the last at ~120 ms)
      const started = performance.now()
      const response = yield* Effect.promise(() => request(`${proxy.url}/trickle`, { dispatcher }))
      const headersAfter = performance.now() - started
      const body = yield* Effect.promise(() => response.body.text())
      const elapsed = performance.now() - started
      strictEqual(body, "abcdefghijklmnopqrst")
      assertTrue(headersAfter >= 195, `headers after ${headersAfter} ms`)
      assertTrue(elapsed >= 315, `body complete after ${elapsed} ms`)
    }))

  it.scopedLive("latency jitter holds each response at least its seeded draw within latency ± jitter", () =>
    Effect.gen(function*() {
      const seed = 3
      const { dispatcher, proxy } = yield* setup({
        seed,
        toxics: [FaultProxy.latency("80 millis", { jitter: "60 millis" })]
      })
      // one connection per request (connection: close): the first chunk of connection i is held
      // 80 ± 60 ms by the first draw of that connection's downstream generator
      const drawn = Array.from({ length: 6 }, (_, i) => 80 + (prng(hash(seed, `downstream#${i}`))() * 2 - 1) * 60)
      for (const ms of drawn) assertTrue(ms >= 20 && ms < 140, `drawn ${ms} ms`)
      assertTrue(Math.max(...drawn) - Math.min(...drawn) >= 30, `draws ${drawn.map(Math.round).join(", ")}`)
      for (let i = 0; i < drawn.length; i++) {
        const outcome = expectResponse(yield* exchange(dispatcher, `${proxy.url}/small`, { reset: true }))
        strictEqual(outcome.body.toString(), "hello")
        // a lower bound only: the response is never forwarded before its draw (timers may run late, not early)
        assertTrue(outcome.elapsed >= drawn[i]! - 2, `response ${i}: ${outcome.elapsed} ms, drawn ${drawn[i]} ms`)
      }
      deepStrictEqual((yield* proxy.connections).map((c) => c.index), [0, 1, 2, 3, 4, 5])
    }))

  it.scopedLive("bandwidth limits the response to the given bytes per second", () =>
    Effect.gen(function*() {
      const { dispatcher, proxy } = yield* setup({ toxics: [FaultProxy.bandwidth(2_000)] })
      // ~1.1 kB at 2 kB/s, sent in 200-byte slices every 100 ms: the last slice leaves after ~450 ms
      const outcome = expectResponse(yield* exchange(dispatcher, `${proxy.url}/kb`))
      strictEqual(outcome.body.toString(), kb)
      assertTrue(outcome.elapsed >= 400, `1 kB took ${outcome.elapsed} ms`)
    }))

  it.scopedLive("slicer cuts the response into small pieces sent apart", () =>
    Effect.gen(function*() {
      const { dispatcher, proxy } = yield* setup({
        toxics: [FaultProxy.slicer({ averageSize: 100, sizeVariation: 20, delay: "15 millis" })]
      })
      const outcome = expectResponse(yield* exchange(dispatcher, `${proxy.url}/kb`))
      strictEqual(outcome.body.toString(), kb)
      // ~1.1 kB in slices of 80..120 bytes, 15 ms apart: at least 9 slices, >= 120 ms
      assertTrue(outcome.chunks >= 8, `${outcome.chunks} chunks`)
      assertTrue(outcome.elapsed >= 120, `${outcome.elapsed} ms`)
    }))

  it.scopedLive("reset_peer resets the client (ECONNRESET) after its timeout; upstream, the client sees a close", () =>
    Effect.gen(function*() {
      const { dispatcher, proxy } = yield* setup({ toxics: [FaultProxy.resetPeer({ timeout: "100 millis" })] })
      const reset = expectFailure(yield* exchange(dispatcher, `${proxy.url}/slow`))
      strictEqual(reset.error.code, "ECONNRESET")
      assertTrue(reset.elapsed >= 95, `reset after ${reset.elapsed} ms`)
      yield* proxy.clearToxics
      yield* proxy.setToxic(FaultProxy.resetPeer({ direction: "upstream", timeout: "50 millis" }))
      const closed = expectFailure(yield* exchange(dispatcher, `${proxy.url}/slow`))
      strictEqual(closed.error.code, "UND_ERR_SOCKET")
    }))

  it.scopedLive("timeout drops the response although the server answered; with a timeout it then closes", () =>
    Effect.gen(function*() {
      const { dispatcher, proxy, server } = yield* setup({ toxics: [FaultProxy.timeout()] })
      const dropped = expectFailure(
        yield* exchange(dispatcher, `${proxy.url}/small`, { signal: AbortSignal.timeout(200) })
      )
      strictEqual(dropped.error.name, "TimeoutError")
      // the upstream did answer: the proxy dropped it
      deepStrictEqual((yield* server.attempts).map((a) => [a.route, a.fault]), [["GET /small", "Reply"]])
      yield* proxy.setToxic(FaultProxy.timeout({ timeout: "150 millis" }))
      const closed = expectFailure(yield* exchange(dispatcher, `${proxy.url}/small`))
      strictEqual(closed.error.code, "UND_ERR_SOCKET")
      assertTrue(closed.elapsed >= 145, `closed after ${closed.elapsed} ms`)
    }))

  it.scopedLive("limit_data closes the connection after exactly N bytes of the response", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup({ toxics: [FaultProxy.limitData(120)] })
      const got = yield* raw(proxy.port, "GET /kb HTTP/1.1\r\nhost: x\r\n\r\n")
      strictEqual(got.bytes.length, 120)
      assertTrue(got.bytes.toString().startsWith("HTTP/1.1 200 OK\r\n"))
    }))

  it.scopedLive("slow_close passes the server's FIN on only after the delay", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup()
      const head = "GET /small HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
      // without the toxic the FIN comes with the response (`raw` waits for it, 3 s at most)
      const fast = yield* raw(proxy.port, head)
      assertTrue(fast.bytes.toString().endsWith("hello"))
      yield* proxy.setToxic(FaultProxy.slowClose("200 millis"))
      const slow = yield* raw(proxy.port, head)
      assertTrue(slow.bytes.toString().endsWith("hello"))
      assertTrue(slow.endedAfterLastByte >= 195, `FIN ${slow.endedAfterLastByte} ms after the response`)
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
      const server = yield* FaultServer.make(upstreamScenario)
      const dispatcher = yield* agent
      const run = (seed: number) =>
        Effect.gen(function*() {
          // The reset comes 10 ms into a 40 ms exchange, after the request is
          // on the wire, so undici never retries it on a new connection.
          const proxy = yield* FaultProxy.make({
            upstream: server.urls.http,
            seed,
            toxics: [FaultProxy.resetPeer({ toxicity: 0.5, timeout: "10 millis" })]
          })
          const pattern: Array<string> = []
          for (let i = 0; i < 10; i++) {
            // a new connection per request (connection: close)
            const outcome = yield* exchange(dispatcher, `${proxy.url}/late`, { reset: true })
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
      const { dispatcher, proxy } = yield* setup({ toxics: [FaultProxy.latency("300 millis", { name: "lag" })] })
      yield* proxy.setToxic(FaultProxy.latency("20 millis", { name: "lag" }))
      const toxics = yield* proxy.toxics
      deepStrictEqual(toxics.map((t) => t.name), ["lag"])
      const lag = toxics[0]!
      strictEqual(lag._tag === "Latency" ? Duration.toMillis(lag.latency) : undefined, 20)
      const outcome = expectResponse(yield* exchange(dispatcher, `${proxy.url}/small`))
      strictEqual(outcome.body.toString(), "hello")
      assertTrue(outcome.elapsed >= 15, `${outcome.elapsed} ms`)
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
