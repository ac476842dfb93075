/**
 * A request interrupted after any one of its steps, on real sockets: the
 * sweep interrupts a call through the node transport after its 1st, 2nd,
 * 3rd … step (its tracer sees every step of the call's fiber), until a call
 * completes before the interruption comes. After each, the pool has nothing
 * running or queued and the server holds at most the one keep-alive
 * socket; the calls counted as started all have their end recorded; after
 * the sweep a request still goes through, on a socket the server sees.
 *
 * it.scopedLive: real sockets on 127.0.0.1, whose teardown only the wall
 * clock moves. Every wait is bounded.
 */
import { interruptingTracer } from "#testline/interruptingTracer"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Metrics } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Fiber from "@steadfast/core/line/Fiber"
import * as Metric from "@steadfast/core/line/Metric"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Exit } from "effect"
import { Pool } from "../src/index.js"
import { buildClient, eventually } from "./helpers.js"

const scenario = Scenario.make({
  "GET /ok": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" })
})

/** Far more steps than one call takes: the sweep stops at the first call that completes. */
const MAX_STEPS = 5000

const count = {
  started: Effect.map(Metric.value(Metrics.requests), (s) => s.count),
  ended: Effect.map(Metric.value(Metrics.latency), (s) => s.count)
}

describe("interrupted anywhere, on real sockets", () => {
  it.scopedLive(
    "a request interrupted after any one of its steps leaves the pool and the server as they were",
    () =>
      Effect.gen(function*() {
        const server = yield* FaultServer.make(scenario)
        const built = yield* buildClient({
          pool: { connections: 1, keepAliveTimeout: "1 minute", statsInterval: "1 minute" }
        })
        const pool = yield* Effect.provide(Pool.Pool, built.context)
        const url = `${server.urls.http}/ok`
        const stats = () => Effect.runSync(pool.stats).find((s) => s.origin === server.urls.http)
        const openSockets = () => Effect.runSync(server.openSockets)
        const base = yield* Effect.tracer
        const before = { started: yield* count.started, ended: yield* count.ended }

        let completedAt: number | undefined
        let interruptedOnTheWire = 0
        for (let step = 1; step <= MAX_STEPS && completedAt === undefined; step++) {
          const hits = yield* server.hits("GET /ok")
          const fiber = yield* Effect.fork(
            Effect.withTracer(built.client.text(HttpClientRequest.get(url)), interruptingTracer(base, step))
          )
          const exit = yield* Fiber.await(fiber)
          if (Exit.isSuccess(exit)) completedAt = step
          else if ((yield* server.hits("GET /ok")) > hits) interruptedOnTheWire++
          yield* eventually(`after an interruption at step ${step}, the pool idle and at most one socket open`, () => {
            const s = stats()
            return (s === undefined || (s.running === 0 && s.pending === 0)) && openSockets() <= 1
          }, 3000)
        }
        expect(completedAt, `no call completed within ${MAX_STEPS} steps`).toBeDefined()
        // the sweep reached requests the server had received, not only calls cut off before sending
        expect(interruptedOnTheWire).toBeGreaterThan(0)

        const calls = { started: (yield* count.started) - before.started, ended: (yield* count.ended) - before.ended }
        expect(calls.ended).toBe(calls.started)

        // nothing is wedged: one more request goes through, and the server sees it
        const hits = yield* server.hits("GET /ok")
        expect(yield* built.client.text(HttpClientRequest.get(url))).toBe("ok")
        expect(yield* server.hits("GET /ok")).toBe(hits + 1)
        expect(openSockets()).toBeLessThanOrEqual(1)
      }),
    60_000
  )
})
