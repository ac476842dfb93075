/**
 * Hostile bodies and heads (issue 18, "bounded memory per body byte" and
 * "header overflow"), written first (skipped) by the issue-18 stream and
 * made to pass by issue 10's body path: `readBody` copies a body of many
 * chunks into one growing buffer, the node transport's `response.stream`
 * hands over what arrived since the last pull as one buffer, and a head
 * over `maxHeaderSize` is a malformed response.
 *
 * What they measure, and why they failed:
 * - a body sent as many 1-byte HTTP chunks arrives from undici as one
 *   `Uint8Array` per chunk; the client keeps an array of them until the
 *   end, so the peak memory per body byte is that of a typed array object
 *   and an array slot (tens of bytes) instead of one byte;
 * - `response.stream` emits those chunks as they come, thousands per
 *   Effect `Chunk`, and folding them overflows the stack;
 * - a response head larger than undici's `maxHeaderSize` fails with
 *   `UND_ERR_HEADERS_OVERFLOW`, which is classified as the request's fault
 *   (`InvalidRequest`) instead of the response's.
 *
 * Measured here with the tests un-skipped (issue 18 stream, on a loaded
 * 2-core machine; memory, not time): a 2 MiB body read with `client.bytes`
 * peaked at about 260 MB above the baseline in 1-byte chunks (about 124
 * bytes per body byte: a typed-array view per chunk, ~100 bytes, its slot
 * in the array of chunks, and the socket read buffers that the 1-byte views
 * keep alive, ~6 bytes of chunked framing per body byte) against 1.3 MB in
 * 64 KiB chunks; folding `response.stream` died with "Maximum call stack
 * size exceeded"; the big head gave `InvalidRequest`.
 *
 * it.scopedLive: real sockets, and memory measured in this process.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import type * as net from "node:net"
import { buildClient, peakOf, rawServer } from "../helpers.js"

const BODY = 2 * 1024 * 1024

/** The response head and a chunked body of `size` bytes in chunks of `chunk` bytes, as one buffer. */
const chunkedResponse = (size: number, chunk: number): Buffer => {
  const parts: Array<Buffer> = [
    Buffer.from("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
  ]
  const frame = Buffer.from(`${chunk.toString(16)}\r\n${"x".repeat(chunk)}\r\n`)
  for (let sent = 0; sent < size; sent += chunk) parts.push(frame)
  parts.push(Buffer.from("0\r\n\r\n"))
  return Buffer.concat(parts)
}

const serve = (chunk: number) => {
  const payload = chunkedResponse(BODY, chunk)
  return rawServer((socket: net.Socket) => {
    socket.end(payload)
  })
}

describe("regression: hostile bodies", () => {
  it.scopedLive(
    "reading a body of 1-byte chunks peaks under 32 bytes of memory per body byte (it was 124)",
    () =>
      Effect.gen(function*() {
        const small = yield* serve(1)
        const large = yield* serve(64 * 1024)
        const { client } = yield* buildClient({ retry: { retries: 0 }, maxBodySize: 16 * 1024 * 1024 })
        const a = yield* peakOf(client.bytes(HttpClientRequest.get(`${small.url}/`)))
        const b = yield* peakOf(client.bytes(HttpClientRequest.get(`${large.url}/`)))
        expect([a.result.length, b.result.length]).toEqual([BODY, BODY])
        // Per body byte, not as a ratio to the 64 KiB case, whose peak (about 5 bytes per body byte:
        // the growing buffer, its last copy, the socket's reads) a garbage collection that comes
        // early or late moves by half. Measured: about 9 bytes per byte; the regression was 124.
        const perByte = a.peak / BODY
        expect(perByte, `1-byte chunks: ${a.peak} bytes, 64 KiB chunks: ${b.peak} bytes`).toBeLessThan(32)
      }),
    60_000
  )

  it.scopedLive(
    "folding response.stream over 1-byte chunks does not overflow the stack (core client and platform client)",
    () =>
      Effect.gen(function*() {
        const small = yield* serve(1)
        const { client, context } = yield* buildClient({ retry: { retries: 0 }, maxBodySize: 16 * 1024 * 1024 })
        const fold = (response: { readonly stream: Stream.Stream<Uint8Array, unknown> }) => {
          let n = 0
          return Stream.runForEach(response.stream, (bytes) => Effect.sync(() => void (n += bytes.length))).pipe(
            Effect.map(() => n)
          )
        }
        expect(yield* Effect.flatMap(client.execute(HttpClientRequest.get(`${small.url}/`)), fold)).toBe(BODY)
        const platform = yield* Effect.provide(HttpClient.HttpClient, context)
        expect(yield* Effect.flatMap(platform.get(`${small.url}/`), fold)).toBe(BODY)
      }),
    60_000
  )

  it.scopedLive("a response head over undici's limit is a response-side TransportError with a clear reason", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) => {
        socket.end(`HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(64 * 1024)}\r\ncontent-length: 2\r\n\r\nok`)
      })
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/`)))
      expect(error._tag).toBe("TransportError")
      expect(error._tag === "TransportError" && error.reason).toBe("malformed-response")
      expect(error.message).toMatch(/head|header/i)
    }))
})
