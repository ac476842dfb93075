/**
 * The generic transport path over a plain `@effect/platform` client —
 * `FetchHttpClient`, what a browser uses — against a real server on
 * loopback: it gets the request as the client resolved it (base url,
 * query parameters, credentials moved to a header), not as it was written.
 *
 * it.scopedLive: a real server and fetch on 127.0.0.1.
 */
import * as Effect from "#line/Effect"
import * as Layer from "#line/Layer"
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Auth, Client } from "@steadfast/core"
import { Ref } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { ok, type Received, recordingServer } from "./helpers/recording.js"

/** A server that answers every request with the url it saw, and records it (`received`). */
const echoServer = recordingServer((req, res) => ok(res, { url: req.url }))

/** What a recorded request carried: its url and Authorization header. */
const urlAndAuth = (r: Received) => ({ url: r.path, authorization: r.headers.authorization })

const over = (options: Client.Options) => Client.layer(options).pipe(Layer.provide(FetchHttpClient.layer))

describe("a plain platform client (FetchHttpClient)", () => {
  it.scopedLive("a relative url is sent to the base url, with its query parameters", () =>
    Effect.gen(function*() {
      const { origin, received } = yield* echoServer
      const body = yield* Client.json(
        HttpClientRequest.get("users/1").pipe(HttpClientRequest.setUrlParam("fields", "name,id"))
      ).pipe(Effect.provide(over({ baseUrl: `${origin}/v1/` })))
      expect(body).toEqual({ url: "/v1/users/1?fields=name%2Cid" })
      expect(received.map((r) => r.path)).toEqual(["/v1/users/1?fields=name%2Cid"])
    }))

  it.scopedLive("credentials in the url go as a Basic Authorization header (fetch refuses them in a url)", () =>
    Effect.gen(function*() {
      const { origin, received } = yield* echoServer
      const withUser = origin.replace("http://", "http://alice:s3cret@")
      yield* Client.text(HttpClientRequest.get(`${withUser}/me`)).pipe(Effect.provide(over({})))
      expect(received.map(urlAndAuth)).toEqual([{
        url: "/me",
        authorization: `Basic ${Buffer.from("alice:s3cret").toString("base64")}`
      }])
    }))

  it.scopedLive("a relative url without a base url: InvalidUrl showing the url as written, nothing sent", () =>
    Effect.gen(function*() {
      const { received } = yield* echoServer
      const error = yield* Effect.flip(Client.text(HttpClientRequest.get("/users/1")).pipe(Effect.provide(over({}))))
      expect(error._tag).toBe("InvalidUrl")
      expect(error.message).toContain("GET /users/1: invalid url, it is relative and the client has no baseUrl")
      expect(received).toEqual([])
    }))

  it.scopedLive("redirects are followed by the client, not by fetch: its rules hold (sensitive headers, max)", () =>
    Effect.gen(function*() {
      const target = yield* headerServer
      const hops = yield* redirectServer(`${target.origin}/landing`)
      // another origin (another port): the header listed as sensitive must not reach it
      const body = yield* Client.text(
        HttpClientRequest.get(`${hops.origin}/one`).pipe(HttpClientRequest.setHeader("x-api-key", "k-1"))
      ).pipe(Effect.provide(over({ redirects: { sensitiveHeaders: ["x-api-key"] } })))
      expect(body).toBe("landed")
      expect(target.received.map((r) => ({ url: r.path, apiKey: r.headers["x-api-key"] }))).toEqual([
        { url: "/landing", apiKey: undefined }
      ])
      // two hops, one allowed: the client's limit, not fetch's 20
      const error = yield* Effect.flip(
        Client.text(HttpClientRequest.get(`${hops.origin}/two`)).pipe(Effect.provide(over({ redirects: { max: 1 } })))
      )
      expect(error._tag).toBe("TooManyRedirects")
    }))
})

describe("a base url and a bearer token over fetch (what the server received)", () => {
  const TOKEN = "t0k3n-over-fetch"
  const quick = { retries: 2, backoff: { base: "1 millis", jitter: "none" } } as const

  it.scopedLive("the token and the default headers reach the base origin; a request's own header wins", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer()
      const layer = over({
        baseUrl: `${server.origin}/v1`,
        auth: Auth.bearer(TOKEN),
        headers: { accept: "application/json", "x-client": "reports" }
      })
      yield* Client.json(HttpClientRequest.get("/me")).pipe(Effect.provide(layer))
      yield* Client.json(HttpClientRequest.get("/me").pipe(HttpClientRequest.setHeader("x-client", "mine"))).pipe(
        Effect.provide(layer)
      )
      expect(server.received.map((r) => [r.path, r.headers.authorization, r.headers.accept, r.headers["x-client"]]))
        .toEqual([
          ["/v1/me", `Bearer ${TOKEN}`, "application/json", "reports"],
          ["/v1/me", `Bearer ${TOKEN}`, "application/json", "mine"]
        ])
    }))

  it.scopedLive("a token Effect runs before every attempt: the retry carries the refreshed token", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer((_, res, n) => ok(res, { n }, n === 0 ? 503 : 200))
      const counter = yield* Ref.make(0)
      const token = Effect.map(Ref.updateAndGet(counter, (n) => n + 1), (n) => `token-${n}`)
      yield* Client.json(HttpClientRequest.get("/me")).pipe(
        Effect.provide(over({ baseUrl: server.origin, retry: quick, auth: Auth.bearer(token) }))
      )
      expect(server.received.map((r) => r.headers.authorization)).toEqual(["Bearer token-1", "Bearer token-2"])
    }))

  it.scopedLive("another origin (allowAbsoluteUrls) receives no credentials", () =>
    Effect.gen(function*() {
      const api = yield* recordingServer()
      const other = yield* recordingServer()
      yield* Client.json(HttpClientRequest.get(`${other.origin}/files`)).pipe(
        Effect.provide(over({
          baseUrl: api.origin,
          allowAbsoluteUrls: true,
          auth: Auth.bearer(TOKEN),
          headers: { "x-api-key": "k3y" }
        }))
      )
      expect(other.received.map((r) => [r.path, r.headers.authorization, r.headers["x-api-key"]])).toEqual([
        ["/files", undefined, undefined]
      ])
    }))

  const redirectingPair = Effect.gen(function*() {
    const other = yield* recordingServer()
    const api = yield* recordingServer((_, res) => {
      res.statusCode = 302
      res.setHeader("location", `${other.origin}/landing`)
      res.end()
    })
    return { api, other }
  })
  const secrets = { auth: Auth.bearer(TOKEN), headers: { "x-api-key": "k3y" } }
  const overInit = (options: Client.Options, init: RequestInit) =>
    Client.layer(options).pipe(
      Layer.provide(FetchHttpClient.layer),
      Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, init))
    )

  it.scopedLive("a redirect to another origin, fetch told to hand redirects to the client: the other origin receives no credentials", () =>
    Effect.gen(function*() {
      const { api, other } = yield* redirectingPair
      yield* Client.json(HttpClientRequest.get("/away")).pipe(
        Effect.provide(overInit({ baseUrl: api.origin, ...secrets }, { redirect: "manual" }))
      )
      expect(api.received.map((r) => [r.headers.authorization, r.headers["x-api-key"]])).toEqual([
        [`Bearer ${TOKEN}`, "k3y"]
      ])
      expect(other.received.map((r) => [r.path, r.headers.authorization, r.headers["x-api-key"]])).toEqual([
        ["/landing", undefined, undefined]
      ])
    }))

  it.scopedLive("a redirect to another origin that fetch follows itself: the other origin receives no Authorization", () =>
    Effect.gen(function*() {
      // fetch's own redirect rule drops Authorization across origins (the Fetch standard), not other headers:
      // over fetch, send API keys as `auth`, or give fetch `redirect: "manual"` where it allows it (Node)
      const { api, other } = yield* redirectingPair
      yield* Client.json(HttpClientRequest.get("/away")).pipe(Effect.provide(over({ baseUrl: api.origin, ...secrets })))
      expect(api.received.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`])
      expect(other.received.map((r) => [r.path, r.headers.authorization])).toEqual([["/landing", undefined]])
    }))
})
/** Answers "landed" and records each request (`received`: its url and headers, x-api-key among them). */
const headerServer = recordingServer((_, res) => res.end("landed"))

/** `/two` redirects to `/one`, which redirects to `target`. */
const redirectServer = (target: string) =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; origin: string }>((resume) => {
      const server = http.createServer((req, res) => {
        res.writeHead(302, { location: req.url === "/two" ? "/one" : target }).end()
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({ server, origin: `http://127.0.0.1:${port}` }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )
