/**
 * Compression on the transports other than the node pool (docs/compression.md,
 * "On other transports"):
 * - `FetchHttpClient` through the generic path: fetch asks for compressed
 *   bodies and decodes them on its own; the size limit counts what the body
 *   reader receives, so decoded bytes (a gzip bomb stops at the limit);
 * - the `SimulatedNetwork` has no wire to compress: it adds no
 *   `Accept-Encoding` and hands scripted bodies over as they are.
 *
 * it.scopedLive for fetch: a real server on 127.0.0.1.
 */
import * as Effect from "#line/Effect"
import * as Layer from "#line/Layer"
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import { Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import * as http from "node:http"
import type * as net from "node:net"
import * as zlib from "node:zlib"

const MIB = 1024 * 1024
const JSON_BODY = JSON.stringify({ id: 1, name: "Ada" })

/** A server answering `/user` with gzipped JSON and `/bomb` with 256 MiB of zeros gzipped (about 256 KB). */
const gzipServer = Effect.acquireRelease(
  Effect.async<{ server: http.Server; origin: string; accepted: Array<string | undefined> }>((resume) => {
    const accepted: Array<string | undefined> = []
    const member = zlib.gzipSync(Buffer.alloc(MIB))
    const bomb = Buffer.concat(Array.from({ length: 256 }, () => member))
    const user = zlib.gzipSync(JSON_BODY)
    const server = http.createServer((req, res) => {
      accepted.push(req.headers["accept-encoding"])
      const body = req.url === "/bomb" ? bomb : user
      res.writeHead(200, {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": body.length
      })
      res.on("error", () => {})
      res.end(body)
    })
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      resume(Effect.succeed({ server, origin: `http://127.0.0.1:${port}`, accepted }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

const overFetch = (options: Client.Options) =>
  Client.layer({ retry: { retries: 0 }, ...options }).pipe(Layer.provide(FetchHttpClient.layer))

describe("compression on the generic path (FetchHttpClient)", () => {
  it.scopedLive("fetch asks for gzip and decodes it; the limit counts decoded bytes", () =>
    Effect.gen(function*() {
      const { accepted, origin } = yield* gzipServer
      const body = yield* Client.json(HttpClientRequest.get(`${origin}/user`)).pipe(Effect.provide(overFetch({})))
      expect(body).toEqual(JSON.parse(JSON_BODY))
      // fetch's own header (br only over https)
      expect(accepted[0]).toMatch(/gzip/)
      const error = yield* Effect.flip(
        Client.bytes(HttpClientRequest.get(`${origin}/bomb`)).pipe(Effect.provide(overFetch({ maxBodySize: 4 * MIB })))
      )
      expect(error._tag).toBe("BodyTooLarge")
    }))
})

describe("compression on the SimulatedNetwork", () => {
  const gzipped = zlib.gzipSync(JSON_BODY)
  const scenario = Scenario.make({
    "GET /user": [Reply.bytes(200, gzipped, { "content-encoding": "gzip" })]
  })

  it.effect("no Accept-Encoding is added and a scripted body is handed over as it is, header kept", () =>
    Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      const client = yield* Client.Client
      const response = yield* client.execute(HttpClientRequest.get("https://api.test/user"))
      expect(response.headers["content-encoding"]).toBe("gzip")
      expect(Buffer.from(yield* response.arrayBuffer)).toEqual(gzipped)
      const [attempt] = yield* net.attempts("GET /user")
      expect(attempt?.headers["accept-encoding"]).toBeUndefined()
    }).pipe(Effect.provide(Client.layer().pipe(Layer.provideMerge(SimulatedNetwork.layer(scenario))))))
})
