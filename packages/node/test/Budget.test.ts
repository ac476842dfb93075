/**
 * The default retry budget on real sockets: an origin that answers every
 * request with 503 gets about 1.2 requests per request, not 4 (one try and
 * three retries). The count is the server's own.
 *
 * it.live: real loopback sockets, and the retry waits run on the real clock
 * (the floor of the budget is per second, so the bound uses the elapsed time
 * the client's clock measured; nothing asserts a duration).
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Budget, Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import * as FiberRef from "@steadfast/core/line/FiberRef"
import * as LogLevel from "@steadfast/core/line/LogLevel"
import { Fault, FaultServer, Scenario } from "@steadfast/testkit"
import { Clock, Layer } from "effect"
import { NodeClient } from "../src/index.js"

const scenario = Scenario.make({
  "GET /busy": Scenario.sequence([Fault.status(503)], { after: "repeat-last" })
})

describe("the default retry budget on sockets", () => {
  it.scopedLive("1,000 GETs to an origin that always answers 503 reach it at most 1.2 × 1,000 + 10 × seconds times", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const context = yield* Layer.build(NodeClient.layer({ proxy: { url: "none" } }))
      const client = yield* Effect.provide(Client.Client, context)
      const request = HttpClientRequest.get(`${server.urls.http}/busy`)
      const start = yield* Clock.currentTimeMillis
      const results = yield* Effect.forEach(
        Array.from({ length: 1_000 }),
        () => Effect.either(client.text(request)),
        { concurrency: 50 }
      ).pipe(
        Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("the requests did not end") }),
        // a line per retry is noise here
        Effect.locally(FiberRef.currentMinimumLogLevel, LogLevel.Warning)
      )
      const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000
      const received = yield* server.hits("GET /busy")
      const bound = 1_000 + 0.2 * 1_000 + Budget.defaults.minPerSecond * (seconds + 1)
      console.log(`budget on sockets: 1000 requests, ${received} received by the server in ${seconds.toFixed(1)} s`)
      expect(results.every(Either.isLeft)).toBe(true)
      expect(received).toBeGreaterThan(1_000)
      expect(received).toBeLessThanOrEqual(bound)
      const refused = results.filter((r) => Either.isLeft(r) && r.left.retryRefused === "budget").length
      expect(refused).toBeGreaterThan(0)
      // every request the server saw is one of the 1,000 or a retry the budget paid for
      const retried = results.reduce((n, r) => n + (Either.isLeft(r) ? r.left.attempts - 1 : 0), 0)
      expect(received).toBe(1_000 + retried)
    }))
})
