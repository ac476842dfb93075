/**
 * Resets: what is retried after a connection dies under a request, and the
 * transparent retry of a request that went out on a stale keep-alive
 * connection.
 *
 * it.live: real sockets; servers scripted per connection.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Metric from "@steadfast/core/line/Metric"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Pool } from "../src/index.js"
import { buildClient, ok, rawServer } from "./helpers.js"

const staleRetries = (origin: string) =>
  Metric.value(Metric.tagged(Pool.staleRetries, "origin", origin)).pipe(Effect.map((s) => s.count))

/**
 * The first request of each connection gets a keep-alive 200; a later one
 * is read and then the connection dies (`close`: FIN, `reset`: RST), as when
 * the server's idle timer fires just as the request arrives.
 */
const dropsReusedConnections = (how: "close" | "reset") =>
  rawServer((socket, _head, index) => {
    if (index === 0) ok(socket, "fresh")
    else if (how === "close") socket.end()
    else socket.resetAndDestroy()
  })

describe("resets and stale connections", () => {
  it.scopedLive("POST is not retried after a reset once sent; GET is", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(Scenario.make({
        "POST /orders": Scenario.sequence([Fault.reset(), Reply.json(201, {})], { after: "fail" }),
        "GET /items": Scenario.sequence([Fault.reset(), Reply.json(200, [])], { after: "fail" })
      }))
      const { client } = yield* buildClient({ retry: { retries: 3, backoff: { base: "1 millis" } } })
      const post = yield* Effect.flip(
        client.text(HttpClientRequest.post(`${server.urls.http}/orders`).pipe(HttpClientRequest.bodyText("{}")))
      )
      expect(post._tag).toBe("ConnectionReset")
      expect(post._tag === "ConnectionReset" && post.requestSent).toBe(true)
      expect(post.attempts).toBe(1)
      expect(yield* server.hits("POST /orders")).toBe(1)
      expect(yield* client.text(HttpClientRequest.get(`${server.urls.http}/items`))).toBe("[]")
      expect(yield* server.hits("GET /items")).toBe(2)
    }))

  for (const how of ["close", "reset"] as const) {
    it.scopedLive(`a GET on a stale keep-alive connection (${how}) is sent once more, retries off`, () =>
      Effect.gen(function*() {
        const server = yield* dropsReusedConnections(how)
        const { client } = yield* buildClient({ retry: { retries: 0 }, pool: { connections: 1 } })
        const before = yield* staleRetries(server.url)
        expect(yield* client.text(HttpClientRequest.get(`${server.url}/a`))).toBe("fresh")
        // the same connection, which the server drops: sent again on a new one
        const [text, history] = yield* Client.withHistory(client.text(HttpClientRequest.get(`${server.url}/b`)))
        expect(text).toBe("fresh")
        expect([server.connections(), server.requests()]).toEqual([2, 3])
        // decided by the client, and recorded
        expect(history.map((h) => [h.tag, h.phase, h.reusedSocket, h.decision, h.reason])).toEqual([
          ["ConnectionReset", "written", true, "resend", "stale-socket"],
          ["Success", "body", undefined, undefined, undefined]
        ])
        expect((yield* staleRetries(server.url)) - before).toBe(1)
      }))
  }

  for (const how of ["FIN", "RST"] as const) {
    it.scopedLive(
      `33 × (a request, the server closes the idle connection with ${how}, a request 50 ms later), retries off: 66/66`,
      () =>
        Effect.gen(function*() {
          let responses = 0
          const server = yield* rawServer((socket) => {
            ok(socket, "fresh")
            responses++
            // the server's idle timer: the connection is dropped while idle
            setTimeout(() => how === "FIN" ? socket.end() : socket.resetAndDestroy(), 50)
          })
          const { client } = yield* buildClient({ retry: { retries: 0 }, pool: { connections: 1 } })
          const results: Array<string> = []
          for (let round = 0; round < 33; round++) {
            results.push(
              yield* Effect.either(client.text(HttpClientRequest.get(`${server.url}/a`))).pipe(
                Effect.map((r) => r._tag === "Right" ? r.right : r.left._tag)
              )
            )
            yield* Effect.sleep("50 millis")
            results.push(
              yield* Effect.either(client.text(HttpClientRequest.get(`${server.url}/b`))).pipe(
                Effect.map((r) => r._tag === "Right" ? r.right : r.left._tag)
              )
            )
          }
          expect(results.filter((r) => r !== "fresh")).toEqual([])
          // every success is a response the server sent, none twice
          expect(responses).toBe(66)
        }),
      30_000
    )
  }

  it.scopedLive("a POST on a stale connection is not sent again", () =>
    Effect.gen(function*() {
      const server = yield* dropsReusedConnections("close")
      const { client } = yield* buildClient({ retry: { retries: 0 }, pool: { connections: 1 } })
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/a`))).toBe("fresh")
      const error = yield* Effect.flip(
        client.text(HttpClientRequest.post(`${server.url}/b`).pipe(HttpClientRequest.bodyText("x")))
      )
      expect(error._tag).toBe("ConnectionReset")
      expect([server.connections(), server.requests()]).toEqual([1, 2])
    }))

  it.scopedLive("a POST with an Idempotency-Key is sent again", () =>
    Effect.gen(function*() {
      const server = yield* dropsReusedConnections("close")
      const { client } = yield* buildClient({ retry: { retries: 0 }, pool: { connections: 1 } })
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/a`))).toBe("fresh")
      const text = yield* client.text(
        HttpClientRequest.post(`${server.url}/b`).pipe(
          HttpClientRequest.setHeader("idempotency-key", "k-1"),
          HttpClientRequest.bodyText("x")
        )
      )
      expect(text).toBe("fresh")
      expect([server.connections(), server.requests()]).toEqual([2, 3])
    }))

  it.scopedLive("a reset on a fresh connection is not sent again (retries off)", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) => socket.resetAndDestroy())
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/a`)))
      expect(error._tag).toBe("ConnectionReset")
      expect(server.requests()).toBe(1)
    }))

  it.scopedLive("only once: a second stale connection in a row is reported", () =>
    Effect.gen(function*() {
      // every request after the first on any connection, and the first of the
      // third connection, is dropped
      const server = yield* rawServer((socket, _head, index, connection) => {
        if (index === 0 && connection < 2) ok(socket, "fresh", "")
        else socket.end()
      })
      const { client } = yield* buildClient({ retry: { retries: 0 }, pool: { connections: 2 } })
      yield* Effect.all([
        client.text(HttpClientRequest.get(`${server.url}/a`)),
        client.text(HttpClientRequest.get(`${server.url}/b`))
      ], { concurrency: 2 })
      expect(server.connections()).toBe(2)
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/c`)))
      expect(error._tag).toBe("ConnectionReset")
      // the request went out twice: on a reused connection, then on a new one
      expect(server.requests()).toBe(4)
    }))

  it.scopedLive("a server that closes idle connections: the next request opens a new one", () =>
    Effect.gen(function*() {
      // closes each connection 50 ms after its response
      const server = yield* rawServer((socket) => {
        ok(socket, "hi")
        setTimeout(() => socket.end(), 50)
      })
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      const before = yield* staleRetries(server.url)
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/a`))).toBe("hi")
      yield* Effect.sleep("150 millis")
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/b`))).toBe("hi")
      // undici saw the FIN on the idle connection and never used it again
      expect([server.connections(), server.requests()]).toEqual([2, 2])
      expect((yield* staleRetries(server.url)) - before).toBe(0)
    }))
})
