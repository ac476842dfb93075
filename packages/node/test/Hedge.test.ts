/**
 * Hedging on real sockets, seen from the server: the first request hangs,
 * the hedge answers; the call returns the hedge's answer, the server sees
 * the first request's connection closed by the client (its socket
 * destroyed, not left hanging in the pool), and once the client's layer is
 * closed no socket is left open.
 *
 * it.scopedLive: real loopback sockets; the hedge delay runs on the real
 * clock. Every wait is bounded, and nothing asserts a duration.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, Hedge } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Exit, Layer, Scope } from "effect"
import { NodeClient } from "../src/index.js"
import { eventually } from "./helpers.js"

const scenario = Scenario.make({
  "GET /slow": Scenario.sequence([Fault.hang(), Reply.text(200, "hedge")], { after: "repeat-last" })
})

describe("Hedge on sockets", () => {
  it.scopedLive("the hedge wins; the server sees the first request's socket closed, and none is left open", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        NodeClient.layer({
          proxy: { url: "none" },
          policies: [Hedge.make({ delay: "50 millis" })],
          // only the hedge ends the first request
          timeouts: { response: "1 minute" }
        }),
        scope
      )
      const client = yield* Effect.provide(Client.Client, context)
      const body = yield* client.text(HttpClientRequest.get(`${server.urls.http}/slow`)).pipe(
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("the hedge did not answer") })
      )
      expect(body).toBe("hedge")
      expect(yield* server.hits("GET /slow")).toBe(2)
      const open = () => Effect.runSync(server.openSockets)
      // the hanging request's socket is gone on the server's side: only the hedge's keep-alive one remains
      yield* eventually("the first request's socket closed", () => open() <= 1, 5_000)
      expect(open()).toBe(1)
      yield* Scope.close(scope, Exit.void)
      yield* eventually("no socket left open", () => open() === 0, 5_000)
    }))
})
