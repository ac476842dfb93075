/**
 * HTTP/2 (opt-in, `allowH2`) against a local `node:http2` TLS server on
 * 127.0.0.1 that negotiates h2 by ALPN (HTTP/1.1 too, for the control
 * case). The tests assert what the server saw: TCP connections, HTTP/2
 * sessions, streams and the requests it processed; and how the client
 * reports the server's GOAWAY and RST_STREAM frames.
 *
 * it.scopedLive: real sockets.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, type Errors } from "@steadfast/core"
import * as ConfigProvider from "@steadfast/core/line/ConfigProvider"
import * as Effect from "@steadfast/core/line/Effect"
import { completeDeferred } from "@steadfast/core/line/unsafe"
import { Certificates } from "@steadfast/testkit"
import { Deferred, Exit, Fiber, Layer, Schedule, type Scope } from "effect"
import type * as http from "node:http"
import * as http2 from "node:http2"
import * as https from "node:https"
import type * as net from "node:net"
import { NodeClient, Pool } from "../src/index.js"

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, index: number) => void

interface H2Server {
  readonly url: string
  readonly ca: string
  /** TCP connections accepted. */
  readonly connections: () => number
  /** HTTP/2 sessions opened. */
  readonly sessions: () => number
  /** `METHOD path` of every HTTP/2 stream opened, in order. */
  readonly streams: Array<string>
  /** HTTP versions of the requests seen through the compatibility API (h2 and HTTP/1.1). */
  readonly versions: Array<string>
  /** Requests the handler processed (answered). */
  readonly processed: () => number
}

const constants = http2.constants

/**
 * A TLS server offering h2 and http/1.1 by ALPN; `handler` gets each h2
 * stream (default: 200 "ok"). `http1: false` leaves out HTTP/1.1 and
 * Node's compatibility layer (which would answer a stream's trailers itself).
 */
const h2Server = (
  handler?: Handler,
  options?: { readonly http1?: boolean }
): Effect.Effect<H2Server, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      return yield* Effect.async<{ server: http2.Http2SecureServer; state: H2Server; sockets: Set<net.Socket> }>(
        (resume) => {
          const streams: Array<string> = []
          const versions: Array<string> = []
          const sockets = new Set<net.Socket>()
          let connections = 0
          let sessions = 0
          let processed = 0
          const server = http2.createSecureServer({
            key: certs.localhost.key,
            cert: certs.localhost.cert,
            allowHTTP1: options?.http1 ?? true
          })
          server.on("connection", (socket: net.Socket) => {
            connections++
            sockets.add(socket)
            socket.on("close", () => sockets.delete(socket))
          })
          server.on("session", (session) => {
            sessions++
            session.on("error", () => {})
          })
          // HTTP/1.1 requests come through the compatibility API only
          if (options?.http1 ?? true) {
            server.on("request", (req, res) => {
              versions.push(req.httpVersion)
              if (req.httpVersion !== "2.0") {
                processed++
                res.end("ok")
              }
            })
          }
          server.on("stream", (stream, headers) => {
            stream.on("error", () => {})
            const index = streams.length
            streams.push(`${headers[":method"]} ${headers[":path"]}`)
            const answer = () => {
              processed++
              stream.respond({ ":status": 200 })
              stream.end("ok")
            }
            Object.assign(stream, { answer })
            if (handler === undefined) answer()
            else handler(stream, headers, index)
          })
          server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port
            resume(Effect.succeed({
              server,
              sockets,
              state: {
                url: `https://127.0.0.1:${port}`,
                ca: certs.ca.cert,
                connections: () => connections,
                sessions: () => sessions,
                streams,
                versions,
                processed: () => processed
              }
            }))
          })
        }
      )
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

/** The handler's way to answer a stream it held (set by the server on every stream). */
const answer = (stream: http2.ServerHttp2Stream) => (stream as unknown as { answer: () => void }).answer()

const clientOf = (server: H2Server, options: NodeClient.Options = {}) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      NodeClient.layer({
        proxy: { url: "none" },
        tls: { ca: server.ca },
        retry: { retries: 0 },
        ...options,
        pool: { allowH2: true, ...options.pool }
      })
    )
    return { client: yield* Effect.provide(Client.Client, context), stats: Effect.provide(Pool.stats, context) }
  })

describe("HTTP/2", () => {
  it.scopedLive("allowH2: the server sees one h2 session carrying every request at once", () =>
    Effect.gen(function*() {
      const n = 8
      const held: Array<http2.ServerHttp2Stream> = []
      const allArrived = yield* Deferred.make<void>()
      // the server answers none until all n streams are open: only multiplexing gets there
      const server = yield* h2Server((stream, headers) => {
        if (headers[":path"] === "/warm") return answer(stream)
        held.push(stream)
        if (held.length === n) completeDeferred(allArrived, Exit.void)
      })
      const { client, stats } = yield* clientOf(server)
      // the connection first: undici's pool opens one connection per request while none is open
      // (a connection being opened counts as busy), whatever the protocol it will speak
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/warm`))).toBe("ok")
      const fiber = yield* Effect.fork(
        Effect.forEach(
          Array.from({ length: n }, (_, i) => i),
          (i) => client.text(HttpClientRequest.get(`${server.url}/item/${i}`)),
          { concurrency: "unbounded" }
        )
      )
      yield* Deferred.await(allArrived)
      const during = (yield* stats).find((s) => s.origin === server.url)
      expect(during).toMatchObject({ connected: 1, running: n, pending: 0 })
      for (const stream of held) answer(stream)
      const bodies = yield* Fiber.join(fiber)
      expect(bodies).toEqual(Array.from({ length: n }, () => "ok"))
      expect(server.connections()).toBe(1)
      expect(server.sessions()).toBe(1)
      expect(server.streams.slice(1).sort()).toEqual(Array.from({ length: n }, (_, i) => `GET /item/${i}`).sort())
      expect(server.versions.every((v) => v === "2.0")).toBe(true)
      const after = (yield* stats).find((s) => s.origin === server.url)
      expect(after).toMatchObject({ connected: 1, running: 0, pending: 0, size: 0 })
    }))

  it.scopedLive("without allowH2 the same server is spoken to in HTTP/1.1", () =>
    Effect.gen(function*() {
      const server = yield* h2Server()
      const { client } = yield* clientOf(server, { pool: { allowH2: false } })
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/`))).toBe("ok")
      expect(server.versions).toEqual(["1.1"])
      expect(server.sessions()).toBe(0)
    }))

  it.scopedLive("STEADFAST_POOL_ALLOW_H2=true from the environment turns it on", () =>
    Effect.gen(function*() {
      const server = yield* h2Server()
      const env = new Map([["STEADFAST_POOL_ALLOW_H2", "true"], ["STEADFAST_PROXY", "none"]])
      const context = yield* Layer.build(NodeClient.layerConfig({ overrides: { tls: { ca: server.ca } } })).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(env, { pathDelim: "_" }))
      )
      const client = yield* Effect.provide(Client.Client, context)
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/`))).toBe("ok")
      expect(server.sessions()).toBe(1)
      expect(server.versions).toEqual(["2.0"])
    }))

  it.scopedLive("allowH2 against an HTTP/1.1-only server: requests at once each get a connection of their own", () =>
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      const held: Array<http.ServerResponse> = []
      const sockets = new Set<unknown>()
      const allArrived = yield* Deferred.make<void>()
      const server = https.createServer({ key: certs.localhost.key, cert: certs.localhost.cert }, (req, res) => {
        if (req.url === "/warm") return res.end("ok")
        held.push(res)
        sockets.add(req.socket)
        if (held.length === 4) completeDeferred(allArrived, Exit.void)
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`
      const { client, stats } = yield* clientOf({ url, ca: certs.ca.cert } as H2Server)
      expect(yield* client.text(HttpClientRequest.get(`${url}/warm`))).toBe("ok")
      // undici frees a connection a turn of the event loop after its response: wait for it (bounded)
      yield* stats.pipe(
        Effect.repeat({
          until: (all) => all.some((s) => s.origin === url && s.free === 1),
          schedule: Schedule.spaced("1 millis"),
          times: 200
        })
      )
      // pipelined on the one connection, Node's server would not see the second request before answering the first
      const fiber = yield* Effect.fork(
        Effect.forEach([1, 2, 3, 4], (i) => client.text(HttpClientRequest.get(`${url}/item/${i}`)), {
          concurrency: "unbounded"
        })
      )
      yield* Deferred.await(allArrived)
      for (const res of held) res.end("ok")
      expect(yield* Fiber.join(fiber)).toEqual(["ok", "ok", "ok", "ok"])
      // four requests at once, each on a connection of its own
      expect(sockets.size).toBe(4)
    }))

  it.scopedLive("a cut-off request resets its stream only: the other requests on the connection go on", () =>
    Effect.gen(function*() {
      const server = yield* h2Server((stream, headers) => {
        if (headers[":path"] !== "/slow") answer(stream)
      })
      const { client } = yield* clientOf(server, { timeouts: { response: "200 millis" } })
      const slow = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/slow`)))
      expect(slow._tag).toBe("ResponseTimeout")
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/fast`))).toBe("ok")
      expect(server.connections()).toBe(1)
      expect(server.sessions()).toBe(1)
    }))
})

describe("HTTP/2: the server's GOAWAY and RST_STREAM", () => {
  it.scopedLive("REFUSED_STREAM: even a POST is sent again at once (never processed), and processed once", () =>
    Effect.gen(function*() {
      const server = yield* h2Server((stream, _headers, index) => {
        if (index === 0) stream.close(constants.NGHTTP2_REFUSED_STREAM)
        else answer(stream)
      })
      const { client } = yield* clientOf(server)
      const text = yield* Client.withHistory(
        client.text(HttpClientRequest.post(`${server.url}/orders`).pipe(HttpClientRequest.bodyText("order")))
      )
      expect(text[0]).toBe("ok")
      expect(text[1].map((h) => [h.tag, h.decision, h.reason])).toEqual([
        ["ConnectionReset", "resend", "refused-stream"],
        ["Success", undefined, undefined]
      ])
      expect(server.streams).toEqual(["POST /orders", "POST /orders"])
      expect(server.processed()).toBe(1)
    }))

  it.scopedLive("REFUSED_STREAM twice in a row: the retry policy decides (a POST is not retried)", () =>
    Effect.gen(function*() {
      const server = yield* h2Server((stream) => stream.close(constants.NGHTTP2_REFUSED_STREAM))
      const { client } = yield* clientOf(server, { retry: { retries: 3 } })
      const error = yield* Effect.flip(
        client.text(HttpClientRequest.post(`${server.url}/orders`).pipe(HttpClientRequest.bodyText("order")))
      )
      expect(error._tag).toBe("ConnectionReset")
      const reset = error as Errors.ConnectionReset
      expect([reset.frame, reset.code]).toEqual(["RST_STREAM", "NGHTTP2_REFUSED_STREAM"])
      expect(error.history.map((h) => h.reason)).toEqual(["refused-stream", "not-idempotent"])
      expect(server.streams.length).toBe(2)
      expect(server.processed()).toBe(0)
    }))

  it.scopedLive("RST_STREAM INTERNAL_ERROR before the response: ConnectionReset with the frame; a POST is not re-sent", () =>
    Effect.gen(function*() {
      const server = yield* h2Server((stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR))
      const { client } = yield* clientOf(server, { retry: { retries: 3 } })
      const error = yield* Effect.flip(
        client.text(HttpClientRequest.post(`${server.url}/orders`).pipe(HttpClientRequest.bodyText("order")))
      )
      const reset = error as Errors.ConnectionReset
      expect([reset._tag, reset.frame, reset.code, reset.phase]).toEqual([
        "ConnectionReset",
        "RST_STREAM",
        "NGHTTP2_INTERNAL_ERROR",
        "before-response"
      ])
      expect(reset.message).toContain("reset the HTTP/2 stream (RST_STREAM NGHTTP2_INTERNAL_ERROR)")
      expect(error.attempts).toBe(1)
      expect(server.streams).toEqual(["POST /orders"])
    }))

  it.scopedLive("RST_STREAM while the body is read: ConnectionReset during-body, not a short body", () =>
    Effect.gen(function*() {
      const server = yield* h2Server((stream) => {
        // the body goes out without END_STREAM (held for trailers), then the stream is reset
        stream.respond({ ":status": 200 }, { waitForTrailers: true })
        stream.on("wantTrailers", () => setTimeout(() => stream.close(constants.NGHTTP2_INTERNAL_ERROR), 20))
        stream.end("part of the body")
      }, { http1: false })
      const { client } = yield* clientOf(server)
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/big`)))
      const reset = error as Errors.ConnectionReset
      expect([reset._tag, reset.frame, reset.phase]).toEqual(["ConnectionReset", "RST_STREAM", "during-body"])
    }))

  it.scopedLive("GOAWAY: ConnectionReset with the frame and its code; the next request opens a new session", () =>
    Effect.gen(function*() {
      const server = yield* h2Server((stream, _headers, index) => {
        if (index === 0) stream.session!.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, 0)
        else answer(stream)
      })
      const { client } = yield* clientOf(server, { retry: { retries: 3 } })
      const error = yield* Effect.flip(
        client.text(HttpClientRequest.post(`${server.url}/orders`).pipe(HttpClientRequest.bodyText("order")))
      )
      const reset = error as Errors.ConnectionReset
      expect([reset._tag, reset.frame, reset.code]).toEqual(["ConnectionReset", "GOAWAY", "NGHTTP2_ENHANCE_YOUR_CALM"])
      expect(reset.message).toContain("closed the HTTP/2 connection (GOAWAY NGHTTP2_ENHANCE_YOUR_CALM)")
      // the POST may have been processed as far as the client knows: not retried
      expect(error.attempts).toBe(1)
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/items`))).toBe("ok")
      expect(server.sessions()).toBe(2)
      expect(server.streams).toEqual(["POST /orders", "GET /items"])
    }))
})
