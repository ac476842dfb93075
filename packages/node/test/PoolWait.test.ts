/**
 * Waiting for a free connection is its own phase: a saturated pool in front
 * of a slow but healthy server is not a slow handshake. The case
 * (64 connections, 5,000 concurrent GETs, a server answering in 100 ms)
 * scaled down: 4 connections, 40 GETs.
 *
 * it.scopedLive: real sockets on 127.0.0.1; the server counts connections
 * and requests.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Errors } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { buildClient, ok, rawServer } from "./helpers.js"

/** Answers every request 100 ms after it arrived. */
const slowButHealthy = () =>
  rawServer((socket) => {
    setTimeout(() => {
      if (!socket.destroyed) ok(socket)
    }, 100)
  })

const burst = (
  client: { readonly text: (r: HttpClientRequest.HttpClientRequest) => Effect.Effect<string, Errors.HttpError> },
  url: string
) =>
  Effect.forEach(Array.from({ length: 40 }), () => Effect.either(client.text(HttpClientRequest.get(url))), {
    concurrency: "unbounded"
  })

describe("pool wait", () => {
  it.scopedLive("waiting for a connection is not a ConnectTimeout: 40 GETs on 4 connections all succeed", () =>
    Effect.gen(function*() {
      const server = yield* slowButHealthy()
      // a connect timeout far shorter than the wait in the queue (up to ~1 s), and no retry to hide a failure
      const { client } = yield* buildClient({
        retry: { retries: 0 },
        timeouts: { connect: "200 millis" },
        pool: { connections: 4 }
      })
      const results = yield* burst(client, `${server.url}/`)
      expect(results.filter(Either.isLeft).map((r) => r.left._tag)).toEqual([])
      expect([server.accepted(), server.requests()]).toEqual([4, 40])
    }))

  it.scopedLive("past timeouts.pool: PoolTimeout, never sent, not retried, with the pool's numbers and a hint", () =>
    Effect.gen(function*() {
      const server = yield* slowButHealthy()
      const { client } = yield* buildClient({ timeouts: { pool: "250 millis" }, pool: { connections: 4 } })
      const results = yield* burst(client, `${server.url}/`)
      const failures = results.filter(Either.isLeft).map((r) => r.left)
      const successes = results.filter(Either.isRight).length
      expect(failures.length).toBeGreaterThan(0)
      expect(successes).toBeGreaterThanOrEqual(4)
      expect(new Set(failures.map((e) => e._tag))).toEqual(new Set(["PoolTimeout"]))
      const first = failures[0]!
      if (!Errors.isPoolTimeout(first)) throw new Error("not a PoolTimeout")
      expect(first.requestSent).toBe(false)
      expect(Errors.isTimeoutError(first)).toBe(true)
      expect(Errors.mayHaveReachedServer(first)).toBe(false)
      expect([first.origin, first.inUse, first.limit, first.timeoutMs]).toEqual([server.url, 4, 4, 250])
      expect(first.waiting).toBeGreaterThan(0)
      expect(first.attempts).toBe(1)
      expect(first.history.map((h) => [h.phase, h.decision, h.reason])).toEqual([[
        "queued",
        "give-up",
        "not-retryable"
      ]])
      expect(first.message).toContain(`no free connection to ${server.url} within 250ms (4 of 4 connections in use`)
      expect(first.message).toContain("raise the pool's connections or send fewer requests at once")
      // not retried: the server saw exactly the requests that succeeded, on the pool's 4 connections
      expect([server.accepted(), server.requests()]).toEqual([4, successes])
    }))
})
