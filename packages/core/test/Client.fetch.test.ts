/**
 * The generic transport path over a plain `@effect/platform` client —
 * `FetchHttpClient`, what a browser uses — against a real server on
 * loopback: it gets the request as the client resolved it (base url,
 * query parameters, credentials moved to a header), not as it was written.
 *
 * it.scopedLive: a real server and fetch on 127.0.0.1.
 */
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import type * as net from "node:net"

interface Seen {
  readonly url: string
  readonly authorization: string | undefined
}

/** A server that answers every request with what it saw. */
const echoServer = Effect.acquireRelease(
  Effect.async<{ server: http.Server; origin: string; seen: Array<Seen> }>((resume) => {
    const seen: Array<Seen> = []
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization })
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify({ url: req.url }))
    })
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      resume(Effect.succeed({ server, origin: `http://127.0.0.1:${port}`, seen }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
)

const over = (options: Client.Options) => Client.layer(options).pipe(Layer.provide(FetchHttpClient.layer))

describe("a plain platform client (FetchHttpClient)", () => {
  it.scopedLive("a relative url is sent to the base url, with its query parameters", () =>
    Effect.gen(function*() {
      const { origin, seen } = yield* echoServer
      const body = yield* Client.json(
        HttpClientRequest.get("users/1").pipe(HttpClientRequest.setUrlParam("fields", "name,id"))
      ).pipe(Effect.provide(over({ baseUrl: `${origin}/v1/` })))
      expect(body).toEqual({ url: "/v1/users/1?fields=name%2Cid" })
      expect(seen.map((s) => s.url)).toEqual(["/v1/users/1?fields=name%2Cid"])
    }))

  it.scopedLive("credentials in the url go as a Basic Authorization header (fetch refuses them in a url)", () =>
    Effect.gen(function*() {
      const { origin, seen } = yield* echoServer
      const withUser = origin.replace("http://", "http://alice:s3cret@")
      yield* Client.text(HttpClientRequest.get(`${withUser}/me`)).pipe(Effect.provide(over({})))
      expect(seen).toEqual([{ url: "/me", authorization: `Basic ${Buffer.from("alice:s3cret").toString("base64")}` }])
    }))

  it.scopedLive("a relative url without a base url: InvalidUrl showing the url as written, nothing sent", () =>
    Effect.gen(function*() {
      const { seen } = yield* echoServer
      const error = yield* Effect.flip(Client.text(HttpClientRequest.get("/users/1")).pipe(Effect.provide(over({}))))
      expect(error._tag).toBe("InvalidUrl")
      expect(error.message).toContain("GET /users/1: invalid url, it is relative and the client has no baseUrl")
      expect(seen).toEqual([])
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
      expect(target.seen).toEqual([{ url: "/landing", apiKey: undefined }])
      // two hops, one allowed: the client's limit, not fetch's 20
      const error = yield* Effect.flip(
        Client.text(HttpClientRequest.get(`${hops.origin}/two`)).pipe(Effect.provide(over({ redirects: { max: 1 } })))
      )
      expect(error._tag).toBe("TooManyRedirects")
    }))
})

/** Records the x-api-key header of each request and answers "landed". */
const headerServer = Effect.acquireRelease(
  Effect.async<{ server: http.Server; origin: string; seen: Array<{ url: string; apiKey: unknown }> }>((resume) => {
    const seen: Array<{ url: string; apiKey: unknown }> = []
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", apiKey: req.headers["x-api-key"] })
      res.end("landed")
    })
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      resume(Effect.succeed({ server, origin: `http://127.0.0.1:${port}`, seen }))
    })
  }),
  ({ server }) => Effect.async<void>((resume) => server.close(() => resume(Effect.void)))
)

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
    ({ server }) => Effect.async<void>((resume) => server.close(() => resume(Effect.void)))
  )
