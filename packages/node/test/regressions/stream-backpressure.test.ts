/**
 * A response body read as a `Stream` must hold the server back when its
 * consumer is slow, instead of reading the whole body off the socket into
 * memory.
 *
 * it.scopedLive: real sockets; the server's writes are what is measured.
 */
import { pullOf } from "#testline/streamPull"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "@steadfast/core/line/Effect"
import * as Scope from "@steadfast/core/line/Scope"
import { Exit } from "effect"
import { Pool } from "../../src/index.js"
import { buildClient, eventually, rawServer } from "../helpers.js"

const TOTAL = 64 * 1024 * 1024
const SLICE = Buffer.alloc(256 * 1024, 120)

/** Answers with a 64 MiB body, written as fast as the socket takes it; `written` counts what was flushed. */
const bigBody = () => {
  let written = 0
  return Effect.map(
    rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${TOTAL}\r\n\r\n`)
      let sent = 0
      const pump = () => {
        while (sent < TOTAL && !socket.destroyed) {
          sent += SLICE.length
          const flushed = socket.write(SLICE, () => {
            written += SLICE.length
          })
          if (!flushed) return void socket.once("drain", pump)
        }
      }
      pump()
    }),
    (server) => ({ server, written: () => written })
  )
}

describe("regression: a streamed response body applies backpressure", () => {
  for (const via of ["resilient client", "platform HttpClient"] as const) {
    it.scopedLive(`a slow Stream consumer holds the server back (${via})`, () =>
      Effect.gen(function*() {
        const { server, written } = yield* bigBody()
        const { client, context } = yield* buildClient({ retry: { retries: 0 }, maxBodySize: 2 * TOTAL })
        const response = via === "resilient client"
          ? yield* client.execute(HttpClientRequest.get(`${server.url}/big`))
          : yield* Effect.flatMap(HttpClient.HttpClient, (http) => http.get(`${server.url}/big`)).pipe(
            Effect.provide(context)
          )
        const pull = yield* pullOf(response.stream)
        const first = yield* pull
        expect(first?.length).toBeGreaterThan(0)
        yield* eventually("the server got going", () => written() > 0)
        // the consumer stalls; an unbounded buffer would take the whole body meanwhile
        yield* Effect.sleep("700 millis")
        expect(written()).toBeLessThan(TOTAL / 4)
        // and reading on gets all of it
        let received = 0
        for (const chunk of first ?? []) received += chunk.length
        while (true) {
          // the end is `undefined`; a failure would fail the test here
          const next = yield* pull
          if (next === undefined) break
          for (const chunk of next) received += chunk.length
        }
        expect(received).toBe(TOTAL)
      }), 20_000)
  }

  it.scopedLive("a stream closed early drops the rest of the body and its connection", () =>
    Effect.gen(function*() {
      const { server } = yield* bigBody()
      const { client, context } = yield* buildClient({ retry: { retries: 0 }, maxBodySize: 2 * TOTAL })
      const pool = yield* Effect.provide(Pool.Pool, context)
      const response = yield* client.execute(HttpClientRequest.get(`${server.url}/big`))
      const scope = yield* Scope.make()
      const pull = yield* Scope.extend(pullOf(response.stream), scope)
      expect((yield* pull)?.length).toBeGreaterThan(0)
      yield* Scope.close(scope, Exit.void)
      yield* eventually("the server's socket is closed", () => server.openSockets() === 0)
      yield* eventually("nothing runs", () => Effect.runSync(pool.stats).every((s) => s.running === 0))
    }))
})
