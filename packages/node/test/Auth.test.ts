/**
 * Client-wide headers and auth over the node pool, checked on the server's
 * side: the headers each request arrived with, on real sockets.
 *
 * it.scopedLive: real sockets on 127.0.0.1.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Auth, Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import { Redacted, Ref, type Scope } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { NodeClient } from "../src/index.js"

interface Received {
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
}

/** A server on 127.0.0.1 that records what each request arrived with; `answer` gets the count of earlier ones. */
const recordingServer = (
  answer: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void = (_, res) => json(res, 200)
): Effect.Effect<{ readonly origin: string; readonly received: Array<Received> }, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.async<{ server: http.Server; origin: string; received: Array<Received> }>((resume) => {
        const received: Array<Received> = []
        const server = http.createServer((req, res) => {
          received.push({ path: req.url ?? "", headers: req.headers })
          answer(req, res, received.length - 1)
        })
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as net.AddressInfo).port
          resume(Effect.succeed({ server, origin: `http://127.0.0.1:${port}`, received }))
        })
      }),
      ({ server }) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    ),
    ({ origin, received }) => ({ origin, received })
  )

const json = (res: http.ServerResponse, status: number) => {
  res.statusCode = status
  res.setHeader("content-type", "application/json")
  res.end(JSON.stringify({ status }))
}

const TOKEN = "t0k3n-over-the-pool"
const quick = { retries: 2, backoff: { base: "1 millis", jitter: "none" } } as const

describe("NodeClient: a base url, default headers and auth (what the server received)", () => {
  it.scopedLive("a bearer token and the default headers reach the base origin; a request's own header wins", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer()
      const layer = NodeClient.layer({
        baseUrl: `${server.origin}/v1`,
        auth: Auth.bearer(Redacted.make(TOKEN)),
        headers: { accept: "application/json", "x-api-key": "k3y" }
      })
      yield* Effect.gen(function*() {
        yield* Client.json(HttpClientRequest.get("/me"))
        yield* Client.json(HttpClientRequest.get("/me").pipe(HttpClientRequest.bearerToken("mine")))
      }).pipe(Effect.provide(layer))
      expect(server.received.map((r) => [r.path, r.headers.authorization, r.headers.accept, r.headers["x-api-key"]]))
        .toEqual([
          ["/v1/me", `Bearer ${TOKEN}`, "application/json", "k3y"],
          ["/v1/me", "Bearer mine", "application/json", "k3y"]
        ])
    }))

  it.scopedLive("Basic credentials", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer()
      yield* Client.json(HttpClientRequest.get("/me")).pipe(
        Effect.provide(NodeClient.layer({ baseUrl: server.origin, auth: Auth.basic("carol", "s3cret") }))
      )
      expect(server.received.map((r) => r.headers.authorization)).toEqual([
        `Basic ${Buffer.from("carol:s3cret").toString("base64")}`
      ])
    }))

  it.scopedLive("a token Effect runs before every attempt: the retry carries the refreshed token", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer((_, res, n) => json(res, n < 2 ? 503 : 200))
      const counter = yield* Ref.make(0)
      const token = Effect.map(Ref.updateAndGet(counter, (n) => n + 1), (n) => `token-${n}`)
      yield* Client.json(HttpClientRequest.get("/me")).pipe(
        Effect.provide(NodeClient.layer({ baseUrl: server.origin, retry: quick, auth: Auth.bearer(token) }))
      )
      expect(server.received.map((r) => r.headers.authorization)).toEqual([
        "Bearer token-1",
        "Bearer token-2",
        "Bearer token-3"
      ])
    }))

  it.scopedLive("a redirect to another origin: it receives no Authorization and no secret header", () =>
    Effect.gen(function*() {
      const other = yield* recordingServer()
      const api = yield* recordingServer((_, res) => {
        res.statusCode = 302
        res.setHeader("location", `${other.origin}/landing`)
        res.end()
      })
      yield* Client.json(HttpClientRequest.get("/away")).pipe(
        Effect.provide(
          NodeClient.layer({ baseUrl: api.origin, auth: Auth.bearer(TOKEN), headers: { "x-api-key": "k3y" } })
        )
      )
      expect(api.received.map((r) => [r.headers.authorization, r.headers["x-api-key"]])).toEqual([
        [`Bearer ${TOKEN}`, "k3y"]
      ])
      expect(other.received.map((r) => [r.path, r.headers.authorization, r.headers["x-api-key"]])).toEqual([
        ["/landing", undefined, undefined]
      ])
    }))

  it.scopedLive("another origin (allowAbsoluteUrls) gets no credentials unless credentialOrigins lists it", () =>
    Effect.gen(function*() {
      const api = yield* recordingServer()
      const other = yield* recordingServer()
      const options = { baseUrl: api.origin, allowAbsoluteUrls: true, auth: Auth.bearer(TOKEN) }
      yield* Client.json(HttpClientRequest.get(`${other.origin}/files`)).pipe(
        Effect.provide(NodeClient.layer(options))
      )
      yield* Client.json(HttpClientRequest.get(`${other.origin}/files`)).pipe(
        Effect.provide(NodeClient.layer({ ...options, credentialOrigins: [other.origin] }))
      )
      expect(other.received.map((r) => r.headers.authorization)).toEqual([undefined, `Bearer ${TOKEN}`])
    }))
})
