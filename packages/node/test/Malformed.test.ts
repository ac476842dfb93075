/**
 * Malformed responses on real sockets: whatever undici's code for it, a
 * response whose framing is wrong is `TransportError` with reason
 * `malformed-response` — not a reset — and it is not retried as a network
 * fault (the server would send the same bytes again).
 *
 * it.scopedLive: a raw loopback server writes the bytes.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { buildClient, rawServer } from "./helpers.js"

const replies = [
  {
    name: "two different Content-Length headers",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 10\r\n\r\nhello",
    code: "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
  },
  {
    name: "Content-Length and Transfer-Encoding",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    code: "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
  },
  {
    name: "an invalid Content-Length",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\nhello",
    code: "HPE_UNKNOWN"
  },
  { name: "not HTTP at all", bytes: "SSH-2.0-OpenSSH_9.6\r\n\r\n", code: "HPE_UNKNOWN" }
]

describe("malformed responses", () => {
  for (const reply of replies) {
    it.scopedLive(`${reply.name}: TransportError malformed-response, not retried`, () =>
      Effect.gen(function*() {
        const server = yield* rawServer((socket) => socket.write(reply.bytes))
        const { client } = yield* buildClient({ retry: { retries: 3, backoff: { base: "1 millis" } } })
        const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/`)))
        expect(error._tag).toBe("TransportError")
        expect(error._tag === "TransportError" && [error.reason, error.code]).toEqual([
          "malformed-response",
          reply.code
        ])
        expect(error.history.at(-1)).toMatchObject({ decision: "give-up", reason: "not-retryable" })
        expect([error.attempts, server.requests()]).toEqual([1, 1])
      }))
  }
})
