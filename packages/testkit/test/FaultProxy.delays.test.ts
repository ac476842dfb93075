/**
 * The fault proxy's delaying toxics (latency, jitter, bandwidth, slicer,
 * slow_close) on real loopback sockets, with time run by hand.
 *
 * `it.scopedLive`: the proxy and its upstream move real bytes over
 * 127.0.0.1. The proxy waits on a manual timer (its `timer` option), so each
 * test asserts the delays the proxy asked for and what the client had
 * received before and after each one ran; nothing here measures how long
 * anything took, which would measure how busy the machine is.
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Effect from "@steadfast/core/line/Effect"
import * as Fiber from "effect/Fiber"
import * as FaultProxy from "../src/FaultProxy.js"
import { prng } from "../src/internal/proxy/link.js"
import { hash } from "../src/internal/seeded.js"
import { eventually, exchange, expectResponse, kb, raw, setup } from "./helpers/faultProxy.js"
import { type ManualTimer, manualTimer } from "./helpers/manualTimer.js"
import { headEnd, type RawClient, rawClient, responses } from "./helpers/rawClient.js"

const get = (path: string, close = false) =>
  `GET ${path} HTTP/1.1\r\nhost: x\r\n${close ? "connection: close\r\n" : ""}\r\n`

/** Waits until the proxy asks for a timer (true) or the client got the FIN (false). */
const nextWait = (timer: ManualTimer, client: RawClient) =>
  Effect.flatMap(
    eventually(() => timer.pending().length > 0 || client.ended(), 2_000),
    () => Effect.sync(() => timer.pending().length > 0)
  )

describe("FaultProxy delays", () => {
  it.scopedLive("latency delays the response (downstream) or the request (upstream); changes apply to the open connection", () =>
    Effect.gen(function*() {
      const timer = manualTimer()
      const { proxy, server } = yield* setup({ timer })
      // one keep-alive connection for the whole test
      const client = yield* rawClient(proxy.port)
      yield* proxy.setToxic(FaultProxy.latency("150 millis"))
      client.send(get("/small"))
      // the server answered; the proxy holds the answer on the 150 ms it asked for
      assertTrue(yield* timer.awaitPending())
      deepStrictEqual(timer.pending(), [150])
      strictEqual((yield* server.attempts).length, 1)
      strictEqual(client.received().length, 0)
      timer.runNext()
      assertTrue(yield* eventually(() => responses(client.received()) === 1))
      yield* proxy.removeToxic("latency_downstream")
      yield* proxy.setToxic(FaultProxy.latency("120 millis", { direction: "upstream" }))
      client.send(get("/small"))
      // now the request waits in the proxy: the server has not seen it
      assertTrue(yield* timer.awaitPending())
      deepStrictEqual(timer.pending(), [120])
      strictEqual((yield* server.attempts).length, 1)
      timer.runNext()
      assertTrue(yield* eventually(() => responses(client.received()) === 2))
      strictEqual((yield* server.attempts).length, 2)
      yield* proxy.clearToxics
      deepStrictEqual(yield* proxy.toxics, [])
      client.send(get("/small"))
      assertTrue(yield* eventually(() => responses(client.received()) === 3))
      // without toxics the proxy asked for no timer
      deepStrictEqual(timer.requested(), [150, 120])
      strictEqual(client.received().toString().split("hello").length - 1, 3)
      strictEqual((yield* proxy.connections).length, 1)
    }))

  it.scopedLive("latency holds every chunk of a multi-chunk response, not only the first", () =>
    Effect.gen(function*() {
      // the upstream's trickle (headers, then 4 × 5 bytes, each after 30 ms) runs on a timer of its own
      const serverTimer = manualTimer()
      const timer = manualTimer()
      const { proxy } = yield* setup({ timer, toxics: [FaultProxy.latency("200 millis")] }, { timer: serverTimer })
      const client = yield* rawClient(proxy.port)
      client.send(get("/trickle"))
      // the headers, sent at once by the server, are held 200 ms
      assertTrue(yield* timer.awaitPending())
      deepStrictEqual(timer.pending(), [200])
      strictEqual(client.received().length, 0)
      timer.runNext()
      assertTrue(yield* eventually(() => headEnd(client.received()) !== -1))
      const head = headEnd(client.received())
      let body = ""
      for (const piece of ["abcde", "fghij", "klmno", "pqrst"]) {
        // the server sends the next piece once its interval has run
        assertTrue(yield* serverTimer.awaitPending())
        serverTimer.runNext()
        // and the proxy holds that piece 200 ms after it arrived
        assertTrue(yield* timer.awaitPending())
        deepStrictEqual(timer.pending(), [200])
        strictEqual(client.received().subarray(head).toString(), body)
        timer.runNext()
        body += piece
        assertTrue(yield* eventually(() => client.received().subarray(head).toString() === body))
      }
      deepStrictEqual(serverTimer.requested(), [30, 30, 30, 30])
      deepStrictEqual(timer.requested(), [200, 200, 200, 200, 200])
    }))

  it.scopedLive("latency jitter holds each response for its seeded draw within latency ± jitter", () =>
    Effect.gen(function*() {
      const seed = 3
      const timer = manualTimer()
      const { dispatcher, proxy } = yield* setup({
        seed,
        timer,
        toxics: [FaultProxy.latency("80 millis", { jitter: "60 millis" })]
      })
      // one connection per request (connection: close): the response of connection i is held
      // 80 ± 60 ms by the first draw of that connection's downstream generator
      const drawn = Array.from({ length: 6 }, (_, i) => 80 + (prng(hash(seed, `downstream#${i}`))() * 2 - 1) * 60)
      for (const ms of drawn) assertTrue(ms >= 20 && ms < 140, `drawn ${ms} ms`)
      assertTrue(Math.max(...drawn) - Math.min(...drawn) >= 30, `draws ${drawn.map(Math.round).join(", ")}`)
      for (let i = 0; i < drawn.length; i++) {
        const pending = yield* Effect.fork(exchange(dispatcher, `${proxy.url}/small`, { reset: true }))
        assertTrue(yield* timer.awaitPending())
        const [asked] = timer.pending()
        // the same draw, up to float rounding (the wait is computed from the chunk's arrival time)
        assertTrue(Math.abs(asked! - drawn[i]!) < 1e-6, `response ${i}: asked ${asked} ms, drawn ${drawn[i]} ms`)
        timer.runNext()
        strictEqual(expectResponse(yield* Fiber.join(pending)).body.toString(), "hello")
      }
      strictEqual(timer.requested().length, drawn.length)
      deepStrictEqual((yield* proxy.connections).map((c) => c.index), [0, 1, 2, 3, 4, 5])
    }))

  it.scopedLive("bandwidth limits the response to the given bytes per second", () =>
    Effect.gen(function*() {
      const timer = manualTimer()
      const { proxy } = yield* setup({ timer, toxics: [FaultProxy.bandwidth(2_000)] })
      const client = yield* rawClient(proxy.port)
      client.send(get("/kb", true))
      // each step: at most a tenth of a second's worth (200 bytes) goes out, then the proxy waits
      // as long as those bytes take at 2,000 B/s, and nothing more arrives until that wait ran
      const pieces: Array<number> = []
      while (yield* nextWait(timer, client)) {
        const [ms] = timer.pending()
        const bytes = ms! * 2
        pieces.push(bytes)
        const paced = pieces.reduce((a, b) => a + b, 0)
        assertTrue(yield* eventually(() => client.received().length >= paced))
        strictEqual(client.received().length, paced)
        timer.runNext()
      }
      assertTrue(client.received().toString().endsWith(kb))
      strictEqual(pieces.reduce((a, b) => a + b, 0), client.received().length)
      assertTrue(pieces.every((bytes) => bytes > 0 && bytes <= 200), pieces.join(","))
      // ~1.1 kB in 200-byte pieces
      assertTrue(pieces.length >= 6, `${pieces.length} pieces`)
      deepStrictEqual(timer.requested(), pieces.map((bytes) => bytes / 2))
    }))

  it.scopedLive("slicer cuts the response into small pieces sent apart", () =>
    Effect.gen(function*() {
      const timer = manualTimer()
      const { proxy } = yield* setup({
        timer,
        toxics: [FaultProxy.slicer({ averageSize: 100, sizeVariation: 20, delay: "15 millis" })]
      })
      const client = yield* rawClient(proxy.port)
      client.send(get("/kb", true))
      // the slice sizes come from the connection's seeded generator (seed 0, connection 0); the
      // upstream's response (one write of ~1.1 kB) reaches the proxy as one chunk on loopback
      const random = prng(hash(0, "downstream#0"))
      const slices: Array<number> = []
      while (yield* nextWait(timer, client)) {
        // a slice went out, and the proxy waits 15 ms before the next one
        slices.push(Math.max(1, 100 + Math.round((random() * 2 - 1) * 20)))
        const sent = slices.reduce((a, b) => a + b, 0)
        assertTrue(yield* eventually(() => client.received().length >= sent))
        strictEqual(client.received().length, sent)
        timer.runNext()
      }
      const last = client.received().length - slices.reduce((a, b) => a + b, 0)
      assertTrue(client.received().toString().endsWith(kb))
      assertTrue(slices.every((size) => size >= 80 && size <= 120), slices.join(","))
      assertTrue(last >= 1 && last <= 120, `last slice ${last} bytes`)
      // ~1.1 kB in slices of 80..120 bytes: at least 9 slices, 15 ms apart
      assertTrue(slices.length >= 8, `${slices.length + 1} slices`)
      deepStrictEqual(timer.requested(), slices.map(() => 15))
    }))

  it.scopedLive("slow_close passes the server's FIN on only after the delay", () =>
    Effect.gen(function*() {
      const timer = manualTimer()
      const { proxy } = yield* setup({ timer })
      // without the toxic the FIN comes with the response (`raw` waits for it, 3 s at most)
      const fast = yield* raw(proxy.port, get("/small", true))
      assertTrue(fast.bytes.toString().endsWith("hello"))
      deepStrictEqual(timer.requested(), [])
      yield* proxy.setToxic(FaultProxy.slowClose("200 millis"))
      const client = yield* rawClient(proxy.port)
      client.send(get("/small", true))
      // the whole response is through; the server's FIN waits on the 200 ms the proxy asked for
      assertTrue(yield* timer.awaitPending())
      deepStrictEqual(timer.pending(), [200])
      assertTrue(yield* eventually(() => client.received().toString().endsWith("hello")))
      assertFalse(client.ended())
      timer.runNext()
      assertTrue(yield* eventually(() => client.ended()))
    }))
})
