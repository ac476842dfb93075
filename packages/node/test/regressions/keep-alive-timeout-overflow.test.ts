/**
 * undici arms its keep-alive timer with Node's `setTimeout`, which fires at
 * once (after 1 ms) for a delay above 2^31 - 1 ms (about 24.8 days). A
 * `keepAliveTimeout` of `Duration.infinity` or "30 days" must keep idle
 * connections, not close them after a millisecond; so must a server that
 * announces `Keep-Alive: timeout=` of 30 days, up to `keepAliveMaxTimeout`.
 *
 * it.scopedLive: real sockets, and idle time only the wall clock moves.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { buildClient, ok, rawServer } from "../helpers.js"

describe("regression: long keep-alive timeouts", () => {
  it.scopedLive.each(
    [
      ["keepAliveTimeout: infinity", { keepAliveTimeout: Duration.infinity }, ""],
      ["keepAliveTimeout: 30 days", { keepAliveTimeout: "30 days" }, ""],
      [
        "Keep-Alive: timeout of 30 days, keepAliveMaxTimeout: infinity",
        { keepAliveMaxTimeout: Duration.infinity },
        "keep-alive: timeout=2592000\r\n"
      ]
    ] as const
  )("%s keeps the idle connection", ([_name, pool, header]) =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) => ok(socket, "hi", header))
      const { client } = yield* buildClient({ retry: { retries: 0 }, pool })
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/a`))).toBe("hi")
      yield* Effect.sleep("100 millis")
      expect(server.openSockets()).toBe(1)
      expect(yield* client.text(HttpClientRequest.get(`${server.url}/b`))).toBe("hi")
      expect(server.connections()).toBe(1)
    }))
})
