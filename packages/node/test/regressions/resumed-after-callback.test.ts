/**
 * A request whose response was read is done in the pool's stats at once:
 * the fiber that waited for the body goes on after undici's callback
 * returned, not inside it. Effect 4 runs a resumed fiber in the stack of
 * the callback that resumes it; then the code after `client.text` ran inside
 * undici's `onResponseEnd`, before undici counted the request done, and the
 * stats still said it was running (node's `runtime` seam, `deferResume`).
 *
 * it.scopedLive: real sockets on 127.0.0.1.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "@steadfast/core/line/Effect"
import { Pool } from "../../src/index.js"
import { buildClient, ok, rawServer } from "../helpers.js"

describe("regression: a fiber resumed by undici goes on after undici's callback", () => {
  it.scopedLive("right after each of 20 requests, the stats count none running", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) => ok(socket))
      const { client, context } = yield* buildClient({ retry: { retries: 0 } })
      const pool = yield* Effect.provide(Pool.Pool, context)
      const running: Array<number> = []
      for (let i = 0; i < 20; i++) {
        expect(yield* client.text(HttpClientRequest.get(`${server.url}/${i}`))).toBe("ok")
        running.push((yield* pool.stats).find((s) => s.origin === server.url)?.running ?? -1)
      }
      expect(running).toEqual(Array(20).fill(0))
      // the server answered every request
      expect(server.requests()).toBe(20)
    }))
})
