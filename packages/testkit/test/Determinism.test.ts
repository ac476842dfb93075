/**
 * The same seed gives the identical timeline twice, through the core client:
 * seeded chaos on several routes (resets, statuses with Retry-After, hangs
 * and slow answers past the response timeout, trickled and cut bodies,
 * refusals, redirects), a few hundred concurrent requests with jittered
 * retries, all under the TestClock. Every attempt the network saw (virtual
 * time, route, step, fault, outcome) and every result the client gave
 * (tag, attempts, the waits between them) is the same in two runs with the
 * same seed, and differs with another seed.
 *
 * Also measured (reported, not asserted): 10,000 requests with 10% chaos
 * through the core client.
 */
import { freshTestServices } from "#testline/testServices"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import * as FiberRef from "@steadfast/core/line/FiberRef"
import * as LogLevel from "@steadfast/core/line/LogLevel"
import { withSeed } from "@steadfast/core/line/random"
import * as TestClock from "@steadfast/core/line/TestClock"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { Fault, Reply } from "../src/Fault.js"
import * as Scenario from "../src/Scenario.js"
import * as SimulatedNetwork from "../src/SimulatedNetwork.js"

const API = "https://api.test"

const chaosScenario = (seed: number) =>
  Scenario.make({
    "GET /items": Scenario.chaos({
      seed,
      faults: [
        { fault: Fault.reset(), rate: 0.06 },
        { fault: Fault.status(503, { retryAfter: 2 }), rate: 0.05 },
        { fault: Fault.latency("3 seconds", Reply.json(200, { late: true })), rate: 0.03 },
        { fault: Fault.truncate(4, Reply.json(200, { items: [1, 2, 3] })), rate: 0.03 },
        { fault: Fault.trickle({ chunkSize: 4, interval: "200 millis" }, Reply.json(200, { slow: true })), rate: 0.03 }
      ],
      otherwise: Reply.json(200, { items: [1, 2, 3] })
    }),
    "GET /users": Scenario.chaos({
      seed,
      faults: [
        { fault: Fault.hang(), rate: 0.04 },
        { fault: Fault.refused(), rate: 0.04 },
        { fault: Fault.status(429, { retryAfter: 1 }), rate: 0.04 },
        { fault: Fault.redirect(302, "/users-v2"), rate: 0.05 },
        // a body that stalls past the idle timeout
        { fault: Fault.trickle({ chunkSize: 2, interval: "2 seconds" }, Reply.json(200, [])), rate: 0.02 }
      ],
      otherwise: Reply.json(200, [])
    }),
    "GET /users-v2": Scenario.sequence([Reply.json(200, [])], { after: "repeat-last" }),
    // POST: only what provably did not reach the server is retried
    "POST /orders": Scenario.chaos({
      seed,
      faults: [
        { fault: Fault.refused(), rate: 0.08 },
        { fault: Fault.close(), rate: 0.04 },
        { fault: Fault.connectLatency("2 seconds", Reply.json(201, {})), rate: 0.03 }
      ],
      otherwise: Reply.json(201, { id: 1 })
    })
  })

const request = (i: number) =>
  i % 3 === 0
    ? HttpClientRequest.get(`${API}/items`)
    : i % 3 === 1
    ? HttpClientRequest.get(`${API}/users`)
    : HttpClientRequest.post(`${API}/orders`).pipe(HttpClientRequest.bodyText(`{"n":${i}}`))

const options: Client.Options = {
  retry: { retries: 3, backoff: { base: "100 millis", jitter: "full" } },
  timeouts: { connect: "1 second", response: "1 second", bodyIdle: "1 second", deadline: "30 seconds" }
}

/** `n` requests, 16 at a time, on a fresh network and TestClock, with the jitter seeded by `seed`. */
const run = (seed: number, n = 300) =>
  Effect.gen(function*() {
    const client = yield* Client.Client
    const fiber = yield* Effect.fork(
      Effect.forEach(
        Array.from({ length: n }, (_, i) => i),
        (i) =>
          Effect.either(client.json(request(i))).pipe(
            Effect.map((result) =>
              Either.isRight(result)
                ? { ok: true }
                : {
                  tag: result.left._tag,
                  attempts: result.left.attempts,
                  delays: result.left.history.map((h) => h.delayMs)
                }
            )
          ),
        { concurrency: 16 }
      )
    )
    yield* TestClock.adjust("1 hour")
    const results = yield* Fiber.join(fiber)
    const net = yield* SimulatedNetwork.SimulatedNetwork
    const timeline = (yield* net.timeline).map((r) => ({
      at: r.at,
      endedAt: r.endedAt,
      route: r.route,
      step: r.step,
      fault: r.fault,
      outcome: SimulatedNetwork.outcomeLabel(r)
    }))
    return { results, timeline }
  }).pipe(
    Effect.provide(Client.layer(options).pipe(Layer.provideMerge(SimulatedNetwork.layer(chaosScenario(seed))))),
    // the backoff jitter, afresh for each run
    withSeed(seed),
    // a fresh TestClock at 0 for each run
    Effect.provide(freshTestServices),
    Effect.locally(FiberRef.currentMinimumLogLevel, LogLevel.Warning)
  )

describe("determinism: seeded chaos through the core client", () => {
  it.effect("the same seed gives the identical timeline twice; another seed another one", () =>
    Effect.gen(function*() {
      const first = yield* run(42)
      const second = yield* run(42)
      deepStrictEqual(second, first)

      // the run exercised what it claims to
      const { results, timeline } = first
      strictEqual(results.length, 300)
      assertTrue(timeline.length > 330, `only ${timeline.length} attempts`)
      const outcomes = new Set(timeline.map((r) => r.outcome))
      for (
        const expected of [
          "200",
          "201",
          "302",
          "503",
          "429",
          "ECONNRESET",
          "ECONNREFUSED",
          "UND_ERR_SOCKET",
          "UND_ERR_SOCKET (body)",
          "aborted: ResponseTimeout",
          "aborted: BodyTimeout",
          "aborted: ConnectTimeout"
        ]
      ) assertTrue(outcomes.has(expected), `no attempt ended with ${expected}: ${[...outcomes].join(", ")}`)
      assertTrue(timeline.some((r) => r.at > 0), "virtual time never moved")
      assertTrue(results.some((r) => !("ok" in r)), "every request succeeded: nothing to compare")
      assertTrue(
        results.some((r) => "delays" in r && r.delays.some((d) => d > 0 && d !== 1000 && d !== 2000)),
        "no jittered wait"
      )

      const other = yield* run(43)
      assertTrue(
        JSON.stringify(other.timeline.map((r) => [r.route, r.fault])) !==
          JSON.stringify(timeline.map((r) => [r.route, r.fault])),
        "seeds 42 and 43 drew the same faults"
      )
      assertTrue(JSON.stringify(other) !== JSON.stringify(first))
    }))

  it.effect("10,000 requests with 10% chaos through the core client: about 10% fail without retries, almost none with 3 (time reported, not asserted)", () =>
    Effect.gen(function*() {
      const scenario = Scenario.make({
        "GET /items": Scenario.chaos({
          seed: 7,
          faults: [
            { fault: Fault.reset(), rate: 0.03 },
            { fault: Fault.status(503), rate: 0.03 },
            { fault: Fault.refused(), rate: 0.02 },
            { fault: Fault.truncate(5, Reply.text(200, "truncated body")), rate: 0.02 }
          ],
          otherwise: Reply.json(200, { ok: true })
        })
      })
      const measure = (retries: number) =>
        Effect.gen(function*() {
          const client = yield* Client.Client
          const started = performance.now()
          const fiber = yield* Effect.fork(
            Effect.forEach(
              Array.from({ length: 10_000 }),
              () => Effect.either(client.json(HttpClientRequest.get(`${API}/items`)))
            )
          )
          // nothing sleeps (the backoff is zero), so this returns at once
          yield* TestClock.adjust("1 minute")
          const results = yield* Fiber.join(fiber)
          const ms = performance.now() - started
          const attempts = (yield* (yield* SimulatedNetwork.SimulatedNetwork).timeline).length
          strictEqual(results.length, 10_000)
          return { ms, attempts, failed: results.filter(Either.isLeft).length }
        }).pipe(
          Effect.provide(
            // A zero backoff: each virtual sleep costs the TestClock a few
            // wall-clock ms (it polls with setTimeout(0) until every fiber
            // is suspended), which would measure the TestClock, not the client
            Client.layer({ retry: { retries, backoff: { base: "0 millis", jitter: "none" } } }).pipe(
              Layer.provideMerge(SimulatedNetwork.layer(scenario))
            )
          ),
          Effect.provide(freshTestServices),
          Effect.locally(FiberRef.currentMinimumLogLevel, LogLevel.Warning)
        )
      for (const retries of [0, 3]) {
        const { attempts, failed, ms } = yield* measure(retries)
        if (retries === 0) {
          strictEqual(attempts, 10_000)
          assertTrue(failed > 800 && failed < 1_200, `${failed} of 10,000 failed at a 10% fault rate`)
        } else {
          assertTrue(attempts > 10_800, `${attempts} attempts`)
          assertTrue(failed < 20, `${failed} failed after 3 retries`)
        }
        console.log(
          `core client on SimulatedNetwork, 10,000 requests, 10% chaos, retries ${retries}: ${ms.toFixed(0)} ms ` +
            `(${Math.round(10_000 / ms * 1000)} req/s), ${attempts} attempts, ${failed} requests failed`
        )
      }
    }))
})
