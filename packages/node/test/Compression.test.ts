/**
 * Compressed bodies on real sockets: a node:http server on 127.0.0.1 (port
 * 0) records the `Accept-Encoding` each request arrived with and answers
 * with gzip, deflate (zlib-wrapped and raw), brotli, chains of them, broken
 * streams and bombs; the client must read decoded bytes, stop a bomb at the
 * size limit with memory near the limit, and fail a broken stream once with
 * a `DecodeError`.
 *
 * it.scopedLive: real sockets, and memory measured in this process.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import { Stream } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import * as zlib from "node:zlib"
import { buildClient, peakOf } from "./helpers.js"

const MIB = 1024 * 1024
const JSON_BODY = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) })
const PLAIN = Buffer.from(JSON_BODY)

/** 1 GiB of zeros as 1024 gzip members of 1 MiB each (a gzip reader reads them as one body): about 1 MB. */
const gzipBomb = (): Buffer => {
  const member = zlib.gzipSync(Buffer.alloc(MIB))
  return Buffer.concat(Array.from({ length: 1024 }, () => member))
}

/** 1 GiB of zeros as one brotli stream: about 200 KB. */
const brotliBomb = (): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const encoder = zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } })
    const out: Array<Buffer> = []
    encoder.on("data", (chunk: Buffer) => out.push(chunk))
    encoder.on("end", () => resolve(Buffer.concat(out)))
    encoder.on("error", reject)
    const zeros = Buffer.alloc(MIB)
    for (let i = 0; i < 1024; i++) encoder.write(zeros)
    encoder.end()
  })

interface Route {
  readonly encoding?: string | undefined
  readonly body: Buffer
  readonly status?: number | undefined
  /** Send only this many bytes of the body, then hold the connection open. */
  readonly stallAfter?: number | undefined
}

interface Server {
  readonly url: string
  /** The `Accept-Encoding` of each request, in order (`undefined`: none). */
  readonly acceptEncodings: Array<string | undefined>
  /** Requests per path. */
  readonly hits: Map<string, number>
  readonly openSockets: () => number
}

const serve = (routes: Record<string, Route>) =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; state: Server }>((resume) => {
      const acceptEncodings: Array<string | undefined> = []
      const hits = new Map<string, number>()
      const sockets = new Set<net.Socket>()
      const server = http.createServer((req, res) => {
        acceptEncodings.push(req.headers["accept-encoding"])
        const path = (req.url ?? "/").split("?")[0]!
        hits.set(path, (hits.get(path) ?? 0) + 1)
        const route = routes[path]
        if (route === undefined) {
          res.writeHead(404).end()
          return
        }
        const headers: Record<string, string | number> = { "content-type": "application/json" }
        if (route.encoding !== undefined) headers["content-encoding"] = route.encoding
        const status = route.status ?? 200
        if (status !== 204 && status !== 304) headers["content-length"] = route.body.length
        res.writeHead(status, headers)
        res.on("error", () => {})
        if (route.stallAfter !== undefined) {
          res.write(route.body.subarray(0, route.stallAfter))
          return
        }
        res.end(req.method === "HEAD" || status === 204 || status === 304 ? undefined : route.body)
      })
      server.on("connection", (socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => {})
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({
          server,
          state: { url: `http://127.0.0.1:${port}`, acceptEncodings, hits, openSockets: () => sockets.size }
        }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

const gzip = (b: Buffer) => zlib.gzipSync(b)
const deflate = (b: Buffer) => zlib.deflateSync(b)
const deflateRaw = (b: Buffer) => zlib.deflateRawSync(b)
const br = (b: Buffer) => zlib.brotliCompressSync(b)

const basicRoutes: Record<string, Route> = {
  "/plain": { body: PLAIN },
  "/gzip": { encoding: "gzip", body: gzip(PLAIN) },
  "/x-gzip": { encoding: "x-gzip", body: gzip(PLAIN) },
  "/deflate": { encoding: "deflate", body: deflate(PLAIN) },
  "/deflate-raw": { encoding: "deflate", body: deflateRaw(PLAIN) },
  "/br": { encoding: "br", body: br(PLAIN) },
  // gzipped first, then brotli'd: undone in the reverse order
  "/chain": { encoding: "gzip, br", body: br(gzip(PLAIN)) },
  "/chain-identity": { encoding: "identity, GZIP", body: gzip(PLAIN) },
  "/empty": { encoding: "gzip", body: Buffer.alloc(0) }
}

/** The server's open sockets once they are all closed, or after 200 checks (the close reaches the server a little later). */
const untilClosed = (server: Server) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200 && server.openSockets() > 0; i++) yield* Effect.promise(() => new Promise(setImmediate))
    return server.openSockets()
  })

describe("compression (node transport, real sockets)", () => {
  it.scopedLive("asks for gzip, deflate and br, and decodes each of them (and a chain) to the same JSON", () =>
    Effect.gen(function*() {
      const server = yield* serve(basicRoutes)
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      const paths = ["/plain", "/gzip", "/x-gzip", "/deflate", "/deflate-raw", "/br", "/chain", "/chain-identity"]
      for (const path of paths) {
        const body = yield* client.json(HttpClientRequest.get(`${server.url}${path}`))
        expect(body, path).toEqual(JSON.parse(JSON_BODY))
      }
      expect(server.acceptEncodings).toEqual(paths.map(() => "gzip, deflate, br"))
    }))

  it.scopedLive("an empty body with Content-Encoding is an empty body", () =>
    Effect.gen(function*() {
      const server = yield* serve(basicRoutes)
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/empty`))).toBe("")
    }))

  it.scopedLive("a request's own Accept-Encoding is sent as it is", () =>
    Effect.gen(function*() {
      const server = yield* serve(basicRoutes)
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      yield* client.text(
        HttpClientRequest.get(`${server.url}/plain`).pipe(
          HttpClientRequest.setHeader("Accept-Encoding", "identity")
        )
      )
      expect(server.acceptEncodings).toEqual(["identity"])
    }))

  it.scopedLive("decoded responses lose Content-Encoding and Content-Length; the stream is decoded too", () =>
    Effect.gen(function*() {
      const server = yield* serve(basicRoutes)
      const { client, context } = yield* buildClient({ retry: { retries: 0 } })
      const response = yield* client.execute(HttpClientRequest.get(`${server.url}/gzip`))
      expect(response.headers["content-encoding"]).toBeUndefined()
      expect(response.headers["content-length"]).toBeUndefined()
      expect(response.headers["content-type"]).toBe("application/json")
      expect(yield* response.text).toBe(JSON_BODY)
      let streamed = ""
      yield* Effect.flatMap(
        client.execute(HttpClientRequest.get(`${server.url}/chain`)),
        (r) =>
          Stream.runForEach(r.stream, (bytes) => Effect.sync(() => void (streamed += Buffer.from(bytes).toString())))
      )
      expect(streamed).toBe(JSON_BODY)
      // the platform HttpClient of the node layer decodes too (as fetch does)
      const platform = yield* Effect.provide(HttpClient.HttpClient, context)
      const viaPlatform = yield* platform.get(`${server.url}/br`)
      expect(yield* viaPlatform.text).toBe(JSON_BODY)
      expect(viaPlatform.headers["content-encoding"]).toBeUndefined()
      expect(server.acceptEncodings).toEqual(["gzip, deflate, br", "gzip, deflate, br", "gzip, deflate, br"])
    }))

  it.scopedLive("decompress: false, per client or per request: no Accept-Encoding, raw bytes, headers kept", () =>
    Effect.gen(function*() {
      const server = yield* serve(basicRoutes)
      const compressed = gzip(PLAIN)
      const { client: raw } = yield* buildClient({ retry: { retries: 0 }, decompress: false })
      const response = yield* raw.execute(HttpClientRequest.get(`${server.url}/gzip`))
      expect(response.headers["content-encoding"]).toBe("gzip")
      expect(response.headers["content-length"]).toBe(String(compressed.length))
      expect(Buffer.from(yield* response.arrayBuffer)).toEqual(compressed)
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      const perRequest = Client.withOptions(client, { decompress: false })
      expect(Buffer.from(yield* perRequest.bytes(HttpClientRequest.get(`${server.url}/br`)))).toEqual(br(PLAIN))
      expect(server.acceptEncodings).toEqual([undefined, undefined])
    }))

  it.scopedLive("HEAD, 204 and 304 with Content-Encoding: no body to decode, headers as sent", () =>
    Effect.gen(function*() {
      const server = yield* serve({
        "/gzip": { encoding: "gzip", body: gzip(PLAIN) },
        "/204": { encoding: "gzip", body: Buffer.alloc(0), status: 204 },
        "/304": { encoding: "br", body: Buffer.alloc(0), status: 304 }
      })
      const { client } = yield* buildClient({ retry: { retries: 0 }, isFailure: (status) => status >= 400 })
      const head = yield* client.execute(HttpClientRequest.head(`${server.url}/gzip`))
      expect(head.headers["content-encoding"]).toBe("gzip")
      expect(head.headers["content-length"]).toBe(String(gzip(PLAIN).length))
      expect((yield* head.arrayBuffer).byteLength).toBe(0)
      const noContent = yield* client.execute(HttpClientRequest.get(`${server.url}/204`))
      expect(noContent.status).toBe(204)
      expect(noContent.headers["content-encoding"]).toBe("gzip")
      expect(yield* noContent.text).toBe("")
      const notModified = yield* client.execute(HttpClientRequest.get(`${server.url}/304`))
      expect(notModified.status).toBe(304)
      expect(notModified.headers["content-encoding"]).toBe("br")
      expect(yield* notModified.text).toBe("")
    }))

  it.scopedLive("a corrupt stream is a DecodeError with a hint, sent once although GET is retried", () =>
    Effect.gen(function*() {
      const truncated = gzip(PLAIN).subarray(0, 40)
      const server = yield* serve({
        "/corrupt": { encoding: "gzip", body: Buffer.from("this is not gzip at all") },
        "/truncated": { encoding: "gzip", body: truncated },
        "/bad-br": { encoding: "br", body: Buffer.from("nor is this brotli, not at all") },
        "/bad-chain": { encoding: "gzip, br", body: br(Buffer.from("brotli outside, no gzip inside")) }
      })
      const { client } = yield* buildClient({ retry: { retries: 3, backoff: { base: "1 millis", cap: "1 millis" } } })
      for (const path of ["/corrupt", "/truncated", "/bad-br", "/bad-chain"]) {
        const error = yield* Effect.flip(client.json(HttpClientRequest.get(`${server.url}${path}`)))
        expect(error._tag, path).toBe("DecodeError")
        if (error._tag !== "DecodeError") continue
        expect(error.status).toBe(200)
        expect(error.attempts).toBe(1)
        expect(error.reason).toMatch(path === "/bad-br" ? /brotli/ : /gzip/)
        expect(error.message).toMatch(/decompress: false/)
        expect(server.hits.get(path)).toBe(1)
      }
    }))

  it.scopedLive("more than 5 codings is a DecodeError; an unknown coding passes through with its header", () =>
    Effect.gen(function*() {
      let six = PLAIN
      for (let i = 0; i < 6; i++) six = gzip(six)
      let five = PLAIN
      for (let i = 0; i < 5; i++) five = gzip(five)
      const server = yield* serve({
        "/six": { encoding: "gzip, gzip, gzip, gzip, gzip, gzip", body: six },
        "/five": { encoding: "gzip,gzip,gzip,gzip,gzip", body: five },
        "/zstd": { encoding: "zstd", body: Buffer.from("pretend zstd") }
      })
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/five`))).toBe(JSON_BODY)
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/six`)))
      expect(error._tag).toBe("DecodeError")
      expect(error.message).toMatch(/6 content codings/)
      const response = yield* client.execute(HttpClientRequest.get(`${server.url}/zstd`))
      expect(response.headers["content-encoding"]).toBe("zstd")
      expect(yield* response.text).toBe("pretend zstd")
    }))

  it.scopedLive("a failure status with a gzip body: the StatusError's preview is the decoded text", () =>
    Effect.gen(function*() {
      const problem = JSON.stringify({ error: "quota exceeded for this key" })
      const server = yield* serve({ "/fail": { encoding: "gzip", body: gzip(Buffer.from(problem)), status: 422 } })
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/fail`)))
      expect(error._tag).toBe("StatusError")
      expect(error._tag === "StatusError" && error.body).toBe(problem)
    }))

  it.scopedLive("a compressed body that stalls half-way is a BodyTimeout, and its socket is closed", () =>
    Effect.gen(function*() {
      const body = gzip(Buffer.from("x".repeat(200_000) + Math.PI.toString().repeat(20_000)))
      const server = yield* serve({ "/stall": { encoding: "gzip", body, stallAfter: Math.floor(body.length / 2) } })
      const { client } = yield* buildClient({ retry: { retries: 0 }, timeouts: { bodyIdle: "150 millis" } })
      const error = yield* Effect.flip(client.bytes(HttpClientRequest.get(`${server.url}/stall`)))
      expect(error._tag).toBe("BodyTimeout")
      expect(yield* untilClosed(server)).toBe(0)
    }))

  it.scopedLive("a decoded stream closed early drops the rest of the body and its socket", () =>
    Effect.gen(function*() {
      const big = Buffer.from(Array.from({ length: 400_000 }, (_, i) => `line ${i}\n`).join(""))
      const quick = zlib.brotliCompressSync(big, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })
      const server = yield* serve({ "/big": { encoding: "br", body: quick } })
      const { client } = yield* buildClient({ retry: { retries: 0 }, maxBodySize: 64 * MIB })
      const first = yield* Effect.flatMap(
        client.execute(HttpClientRequest.get(`${server.url}/big`)),
        (response) => Stream.runCollect(Stream.take(response.stream, 1))
      )
      expect(first.length).toBe(1)
      expect(Buffer.from([...first][0]!).toString().startsWith("line 0\nline 1\n")).toBe(true)
      expect(yield* untilClosed(server)).toBe(0)
    }))

  for (const kind of ["gzip", "br"] as const) {
    it.scopedLive(
      `a ${kind} bomb (1 GiB decoded) stops at the limit as BodyTooLarge, memory near the limit, socket dropped`,
      () =>
        Effect.gen(function*() {
          const bomb = kind === "gzip" ? gzipBomb() : yield* Effect.promise(brotliBomb)
          const server = yield* serve({ "/bomb": { encoding: kind, body: bomb } })
          const { client } = yield* buildClient({ retry: { retries: 0 }, maxBodySize: 4 * MIB })
          const { peak, result } = yield* peakOf(Effect.flip(client.bytes(HttpClientRequest.get(`${server.url}/bomb`))))
          expect(result._tag).toBe("BodyTooLarge")
          // decoding it all would take 1 GiB; the limit plus zlib's buffers and the raw body is far less
          expect(peak, `peak ${peak} bytes`).toBeLessThan(64 * MIB)
          // the connection was dropped, not read to the end
          expect(yield* untilClosed(server)).toBe(0)
        }),
      60_000
    )
  }
})
