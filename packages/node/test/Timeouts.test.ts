/**
 * Timeouts and interruption on real loopback sockets: the client's timers
 * (Effect's Clock, the deadline scheduler) abort the undici request and the
 * pool gets its connection back.
 *
 * it.live throughout: real sockets, whose timing only the wall clock moves.
 * Timeouts are short (≤ 1 s) and every wait is bounded.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Classify } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Metric from "@steadfast/core/line/Metric"
import { platformFields } from "@steadfast/core/line/platformReason"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Fiber } from "effect"
import { Pool } from "../src/index.js"
import { buildClient, eventually, rawServer } from "./helpers.js"

const hangScenario = Scenario.make({
  "GET /hang": Scenario.sequence([Fault.hang()], { after: "repeat-last" }),
  "GET /slow": Scenario.sequence([Fault.latency("2 seconds", Reply.text(200, "late"))], { after: "repeat-last" }),
  "GET /ok": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" })
})

describe("timeouts on real sockets", () => {
  it.scopedLive("connect timeout: a listener that never completes the TLS handshake", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(hangScenario)
      const { client, context } = yield* buildClient({
        retry: { retries: 0 },
        timeouts: { connect: "200 millis" },
        tls: { ca: server.ca }
      })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.urls.connectHang}/`)))
      expect(error._tag).toBe("ConnectTimeout")
      expect(error._tag === "ConnectTimeout" && error.timeoutMs).toBe(200)
      // the client's own timer cut it off (not undici's backstop)
      expect(error.history.map((h) => [h.tag, h.phase])).toEqual([["ConnectTimeout", "connecting"]])
      // the half-open socket is closed by undici's connector backstop (the
      // pool's connect timeout, whose timer ticks every ~500 ms)
      const pool = yield* Effect.provide(Pool.Pool, context)
      yield* eventually(
        "no connection left to the hung listener",
        () => Effect.runSync(pool.stats).every((s) => s.connected === 0 && s.pending === 0),
        1500
      )
    }))

  it.scopedLive("undici's connect backstop alone (platform HttpClient, no client timeouts)", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(hangScenario)
      const { context } = yield* buildClient({ pool: { connectTimeout: "200 millis" }, tls: { ca: server.ca } })
      const http = yield* Effect.provide(HttpClient.HttpClient, context)
      const error = yield* Effect.flip(http.get(`${server.urls.connectHang}/`))
      // the platform's error before a response (Effect 4: an HttpClientError whose reason is a TransportError)
      const fields = platformFields(error)
      expect(fields?.kind).toBe("RequestError")
      expect(fields?.reason).toBe("Transport")
      expect((fields?.cause as { code?: string }).code).toBe("UND_ERR_CONNECT_TIMEOUT")
      expect(Classify.classify(error, { method: "GET", url: server.urls.connectHang, phase: "connect" })._tag)
        .toBe("ConnectTimeout")
    }))

  it.scopedLive("response timeout: the server reads the request and never answers", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(hangScenario)
      const { client, context } = yield* buildClient({ retry: { retries: 0 }, timeouts: { response: "200 millis" } })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.urls.http}/hang`)))
      expect(error._tag).toBe("ResponseTimeout")
      expect(error._tag === "ResponseTimeout" && error.timeoutMs).toBe(200)
      // the aborted request's socket is destroyed: nothing runs, nothing leaks
      const pool = yield* Effect.provide(Pool.Pool, context)
      yield* eventually("the pool is idle", () => Effect.runSync(pool.stats).every((s) => s.running === 0))
      yield* eventually("the server has no socket open", () => Effect.runSync(server.openSockets) === 0)
    }))

  it.scopedLive("body idle timeout: the body stalls after a few bytes", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) => {
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12345")
      })
      const { client } = yield* buildClient({ retry: { retries: 0 }, timeouts: { bodyIdle: "150 millis" } })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/`)))
      expect(error._tag).toBe("BodyTimeout")
      expect(error._tag === "BodyTimeout" && error.bytesReceived).toBe(5)
      yield* eventually("the stalled socket is closed", () => server.openSockets() === 0)
    }))

  it.scopedLive("body idle timeout: a trickled body slower than the limit", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(Scenario.make({
        "GET /trickle": Scenario.sequence([
          Fault.trickle({ chunkSize: 4, interval: "400 millis" }, Reply.text(200, "x".repeat(16)))
        ], { after: "repeat-last" })
      }))
      const { client } = yield* buildClient({ retry: { retries: 0 }, timeouts: { bodyIdle: "150 millis" } })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.urls.http}/trickle`)))
      expect(error._tag).toBe("BodyTimeout")
    }))

  it.scopedLive("deadline: the whole call is cut off", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(hangScenario)
      const { client } = yield* buildClient({ timeouts: { deadline: "300 millis", response: "10 seconds" } })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.urls.http}/slow`)))
      expect(error._tag).toBe("DeadlineExceeded")
      expect(error._tag === "DeadlineExceeded" && [error.deadlineMs, error.attempts]).toEqual([300, 1])
      expect(yield* server.hits("GET /slow")).toBe(1)
    }))

  it.scopedLive(
    "interrupting 1,000 in-flight requests leaves the pool idle and the server with no open socket",
    () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(hangScenario)
        const { client, context } = yield* buildClient({
          timeouts: { response: "1 minute" },
          pool: { keepAliveTimeout: "1 minute", statsInterval: "50 millis" }
        })
        const pool = yield* Effect.provide(Pool.Pool, context)
        const stats = () => Effect.runSync(pool.stats).find((s) => s.origin === server.urls.http)
        const fiber = yield* Effect.fork(
          Effect.forEach(
            Array.from({ length: 1000 }, () => client.text(HttpClientRequest.get(`${server.urls.http}/hang`))),
            (request) => request,
            { concurrency: "unbounded", discard: true }
          )
        )
        // 64 on connections (the default bound), 936 waiting for one
        yield* eventually("1,000 requests in the pool", () => {
          const s = stats()
          return s !== undefined && s.running === Pool.defaultConnections && s.size === 1000
        }, 2000)
        yield* eventually(
          "the server holds 64 connections",
          () => Effect.runSync(server.openSockets) === Pool.defaultConnections
        )
        yield* Fiber.interrupt(fiber)
        yield* eventually("nothing runs or waits", () => {
          const s = stats()
          return s === undefined || (s.running === 0 && s.pending === 0 && s.size === 0)
        })
        // the sockets that carried a request were destroyed, and none was opened for the cancelled ones
        yield* eventually("the server has no socket open", () => Effect.runSync(server.openSockets) === 0)
        yield* eventually("the pool has no connection", () => (stats()?.connected ?? 0) === 0)
        // the gauges say so too
        const gauge = (metric: typeof Pool.running) =>
          Metric.value(Metric.tagged(metric, "origin", server.urls.http)).pipe(Effect.map((state) => state.value))
        expect(yield* gauge(Pool.running)).toBe(0)
        expect(yield* gauge(Pool.pending)).toBe(0)
        expect(yield* gauge(Pool.connected)).toBe(0)
        // and the pool still works
        expect(yield* client.text(HttpClientRequest.get(`${server.urls.http}/ok`))).toBe("ok")
      }),
    20_000
  )
})
