/**
 * The transport's responses and request bodies, through the core client and
 * through the platform `HttpClient` the layer provides.
 *
 * it.live: real sockets to loopback servers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Client, Transport } from "@steadfast/core"
import { HttpBody, HttpClient, HttpClientRequest } from "@steadfast/core/line/http"
import { urlParamsEntries } from "@steadfast/core/line/urlParams"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Pool } from "../src/index.js"
import { buildClient, eventually, rawServer, releasedPort } from "./helpers.js"

const scenario = Scenario.make({
  "* /echo": Scenario.sequence([Reply.echo()], { after: "repeat-last" }),
  "GET /json": Scenario.sequence([Reply.json(200, { id: 1, name: "steadfast" })], { after: "repeat-last" }),
  "HEAD /json": Scenario.sequence([Reply.json(200, { id: 1, name: "steadfast" })], { after: "repeat-last" }),
  "GET /big": Scenario.sequence([Reply.bytes(200, new Uint8Array(1024 * 1024).fill(7))], { after: "repeat-last" })
})

describe("NodeClient", () => {
  it.scopedLive("the platform HttpClient: status, headers, cookies, body helpers, remote address", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) => {
        const body = "a=1&b=two"
        socket.write(
          "HTTP/1.1 200 OK\r\ncontent-type: application/x-www-form-urlencoded\r\nx-multi: one\r\nx-multi: two\r\n" +
            "set-cookie: a=1; Path=/\r\nset-cookie: b=2; Path=/\r\n" +
            `content-length: ${body.length}\r\n\r\n${body}`
        )
      })
      const { context } = yield* buildClient({})
      const http = yield* Effect.provide(HttpClient.HttpClient, context)
      const response = yield* http.get(`${server.url}/x`)
      expect(response.status).toBe(200)
      expect(response.headers["x-multi"]).toBe("one, two")
      expect(response.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(response.cookies.cookies["a"]?.value).toBe("1")
      expect(response.cookies.cookies["b"]?.value).toBe("2")
      expect(Option.getOrUndefined(response.remoteAddress)).toBe("127.0.0.1")
      expect(urlParamsEntries(yield* response.urlParamsBody)).toEqual([["a", "1"], ["b", "two"]])
      // read once, the same result after
      expect(yield* response.text).toBe("a=1&b=two")
    }))

  it.scopedLive("json, a large body (pausing undici), streams and HEAD", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { client, context } = yield* buildClient({})
      expect(yield* client.json(HttpClientRequest.get(`${server.urls.http}/json`))).toEqual({
        id: 1,
        name: "steadfast"
      })
      const big = yield* client.bytes(HttpClientRequest.get(`${server.urls.http}/big`))
      expect(big.length).toBe(1024 * 1024)
      expect(big.every((b) => b === 7)).toBe(true)
      const http = yield* Effect.provide(HttpClient.HttpClient, context)
      const response = yield* http.get(`${server.urls.http}/big`)
      let size = 0
      yield* Stream.runForEach(response.stream, (chunk) => Effect.sync(() => void (size += chunk.length)))
      expect(size).toBe(1024 * 1024)
      const streamed = yield* client.execute(HttpClientRequest.get(`${server.urls.http}/json`))
      const chunks = Array.from(yield* Stream.runCollect(streamed.stream))
      expect(new TextDecoder().decode(chunks[0])).toContain("steadfast")
      const head = yield* client.execute(HttpClientRequest.head(`${server.urls.http}/json`))
      expect(head.status).toBe(200)
    }))

  it.scopedLive("request bodies: bytes, text, JSON and streams reach the server", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { client } = yield* buildClient({})
      const echo = (request: HttpClientRequest.HttpClientRequest) =>
        Effect.map(client.json(request), (e) => e as { method: string; body: string; headers: Record<string, string> })
      const url = `${server.urls.http}/echo`
      expect((yield* echo(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyText("hello")))).body).toBe("hello")
      expect(
        (yield* echo(HttpClientRequest.put(url).pipe(HttpClientRequest.bodyUint8Array(new TextEncoder().encode("b")))))
          .body
      ).toBe("b")
      const json = yield* echo(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson({ a: 1 })))
      expect([json.body, json.headers["content-type"]]).toEqual(["{\"a\":1}", "application/json"])
      const streamed = yield* echo(
        HttpClientRequest.post(url).pipe(
          HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("str"), new TextEncoder().encode("eam")))
        )
      )
      expect(streamed.body).toBe("stream")
    }))

  it.scopedLive("a BodyReader that stops drops the body and its connection", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { context } = yield* buildClient({})
      const http = yield* Effect.provide(HttpClient.HttpClient, context)
      const pool = yield* Effect.provide(Pool.Pool, context)
      const transport = Transport.fromHttpClient(http)
      const controller = new AbortController()
      const response = yield* transport.send(
        HttpClientRequest.get(`${server.urls.http}/big`),
        new URL(`${server.urls.http}/big`),
        Transport.attemptFromSignal(controller.signal)
      )
      expect(Transport.BodyReaderTypeId in response).toBe(true)
      let seen = 0
      yield* (response as unknown as Transport.BodyReader)[Transport.BodyReaderTypeId]((chunk) => {
        seen += chunk.length
        return false
      })
      expect(seen).toBeGreaterThan(0)
      expect(seen).toBeLessThan(1024 * 1024)
      yield* eventually("the connection is closed", () => Effect.runSync(server.openSockets) === 0)
      yield* eventually("nothing runs", () => Effect.runSync(pool.stats).every((s) => s.running === 0))
    }))

  it.scopedLive("size limits: the client's maxBodySize and the pool's maxResponseSize", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const limited = yield* buildClient({ maxBodySize: 1000 })
      const error = yield* Effect.flip(limited.client.bytes(HttpClientRequest.get(`${server.urls.http}/big`)))
      expect(error._tag).toBe("BodyTooLarge")
      const chunked = yield* rawServer((socket) => {
        socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        for (let i = 0; i < 20; i++) socket.write(`100\r\n${"y".repeat(256)}\r\n`)
        socket.write("0\r\n\r\n")
      })
      const streamed = yield* Effect.flip(limited.client.bytes(HttpClientRequest.get(`${chunked.url}/`)))
      expect(streamed._tag).toBe("BodyTooLarge")
      const hard = yield* buildClient({ retry: { retries: 0 }, pool: { maxResponseSize: 1000 } })
      const undiciLimit = yield* Effect.flip(hard.client.bytes(HttpClientRequest.get(`${server.urls.http}/big`)))
      expect(undiciLimit._tag).toBe("BodyTooLarge")
      // the limit that fired, not the client's default maxBodySize
      expect(undiciLimit._tag === "BodyTooLarge" && undiciLimit.limit).toBe(1000)
    }))

  it.scopedLive("credentials in the url reach the server as Basic auth, not in the request target", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { client } = yield* buildClient({})
      const url = new URL(`${server.urls.http}/echo`)
      url.username = "bob"
      url.password = "s3cret"
      const echo = (yield* client.json(HttpClientRequest.get(url.href))) as {
        readonly url: string
        readonly headers: Record<string, string>
      }
      expect(echo.headers["authorization"]).toBe(`Basic ${Buffer.from("bob:s3cret").toString("base64")}`)
      expect(echo.url).not.toContain("s3cret")
    }))

  it.scopedLive("a raw Readable body is destroyed when the call fails without sending it", () =>
    Effect.gen(function*() {
      const file = path.join(os.tmpdir(), `steadfast-body-${process.pid}.txt`)
      fs.writeFileSync(file, "order=1")
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(file, { force: true })))
      const port = yield* releasedPort
      const { client } = yield* buildClient({ retry: { retries: 2, backoff: { base: "1 millis" } } })
      const body = fs.createReadStream(file)
      const request = HttpClientRequest.post(`http://127.0.0.1:${port}/orders`).pipe(
        HttpClientRequest.setBody(HttpBody.raw(body))
      )
      const error = yield* Effect.flip(client.text(request))
      // refused proves the request never went out, so the unsent stream was retried; then the call gave up
      expect(error._tag).toBe("ConnectionRefused")
      expect(error.attempts).toBe(3)
      expect(body.destroyed).toBe(true)
    }))

  it.scopedLive("Client.layer over the platform HttpClient takes the direct path", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { context } = yield* buildClient({})
      const http = yield* Effect.provide(HttpClient.HttpClient, context)
      const transport = Transport.fromHttpClient(http)
      expect(transport.tracksConnect).toBe(true)
      const client = yield* Client.make().pipe(Effect.provideService(HttpClient.HttpClient, http))
      expect(yield* client.json(HttpClientRequest.get(`${server.urls.http}/json`))).toEqual({
        id: 1,
        name: "steadfast"
      })
    }))
})
