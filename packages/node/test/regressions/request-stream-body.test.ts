/**
 * A request body given as a `Stream` is read by undici as an async
 * iterable, and undici leaves stopping an iterable to its owner
 * (client-h1.js, `writeIterable`: "It's up to the user to somehow abort the
 * async iterable"). When the exchange ends before the body was sent — the
 * server answered early, the attempt timed out, the caller gave up — the
 * body's stream must be interrupted, so its fiber and its finalizers
 * (files, queues, upstream connections) do not outlive the request.
 *
 * it.scopedLive: real sockets.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "@steadfast/core/line/Effect"
import { Fiber, Stream } from "effect"
import { buildClient, eventually, ok, rawServer } from "../helpers.js"

/** One chunk, then nothing for ever; `finalized()` tells whether the stream was closed. */
const stalledBody = () => {
  let finalized = false
  const stream = Stream.concat(Stream.make(new TextEncoder().encode("first chunk")), Stream.never).pipe(
    Stream.ensuring(Effect.sync(() => {
      finalized = true
    }))
  )
  return { stream, finalized: () => finalized }
}

describe("regression: a request body Stream is stopped when its exchange ends", () => {
  it.scopedLive("the server answers before reading the body", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket, _head, index) => {
        if (index === 0) ok(socket, "early")
      })
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      const body = stalledBody()
      const text = yield* client.text(
        HttpClientRequest.post(`${server.url}/upload`).pipe(HttpClientRequest.bodyStream(body.stream))
      )
      expect(text).toBe("early")
      yield* eventually("the body stream was closed", body.finalized)
    }))

  it.scopedLive("the response timeout cuts the attempt off mid-body", () =>
    Effect.gen(function*() {
      const server = yield* rawServer(() => {})
      const { client } = yield* buildClient({ retry: { retries: 0 }, timeouts: { response: "200 millis" } })
      const body = stalledBody()
      const error = yield* Effect.flip(
        client.text(HttpClientRequest.post(`${server.url}/upload`).pipe(HttpClientRequest.bodyStream(body.stream)))
      )
      expect(error._tag).toBe("ResponseTimeout")
      yield* eventually("the body stream was closed", body.finalized)
    }))

  it.scopedLive("the caller is interrupted", () =>
    Effect.gen(function*() {
      const server = yield* rawServer(() => {})
      const { client } = yield* buildClient({ retry: { retries: 0 } })
      const body = stalledBody()
      const fiber = yield* Effect.fork(
        client.text(HttpClientRequest.post(`${server.url}/upload`).pipe(HttpClientRequest.bodyStream(body.stream)))
      )
      yield* eventually("the request reached the server", () => server.requests() === 1)
      yield* Fiber.interrupt(fiber)
      yield* eventually("the body stream was closed", body.finalized)
      yield* eventually("the server's socket is closed", () => server.openSockets() === 0)
    }))
})
