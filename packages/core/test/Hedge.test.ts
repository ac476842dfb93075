/**
 * Hedging through a client on the simulated network, under TestClock: the
 * hedge starts at exactly the delay, the first success wins, the loser is
 * cut off (the network sees its attempt aborted at the winner's time), the
 * history shows both; POST is not hedged; the retry budget pays for each
 * hedge; a percentile delay follows the latencies seen. And the default
 * path (no hedge policy) forks no fiber.
 */
import type * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Fiber from "#line/Fiber"
import * as Layer from "#line/Layer"
import * as Metric from "#line/Metric"
import * as TestClock from "#line/TestClock"
import { countForks } from "#testline/forks"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Budget, Client, Hedge, Metrics } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import * as Clock from "effect/Clock"
import * as fc from "effect/FastCheck"
import * as Mem from "./helpers/memory.js"

const origin = "https://api.test"

/** /items: the first attempt answers after 5 s, the second after 100 ms. */
const network = (first: Fault = Fault.latency("5 seconds", Reply.text(200, "first"))) =>
  SimulatedNetwork.layer(Scenario.make({
    "* /items": Scenario.sequence([first, Fault.latency("100 millis", Reply.text(200, "second"))], {
      after: "repeat-last"
    })
  }))

const withClient = (options: Client.Options, net = network()) =>
  Effect.provide(Client.layer(options).pipe(Layer.provideMerge(net)))

const run = <A, E, R>(effect: Effect.Effect<A, E, R>, by: Duration.DurationInput = "1 minute") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.either(effect))
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

const get = HttpClientRequest.get(`${origin}/items`)

describe("Hedge: through the client, under TestClock", () => {
  it.effect("the hedge starts at exactly 1 s, wins at 1.1 s; the first attempt is cut off then; the history shows both", () => {
    const hedge = Hedge.make({ delay: "1 second" })
    return Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      const won = (yield* Metric.value(Metric.tagged(Metrics.hedges, "outcome", "won"))).count
      const result = yield* run(Client.withHistory(Client.text(get)))
      if (Either.isLeft(result)) throw new Error(`failed: ${result.left}`)
      const [body, history] = result.right
      expect(body).toBe("second")
      const attempts = yield* net.attempts("* /items")
      expect(attempts.map((a) => [a.at, a.endedAt, a.outcome._tag])).toEqual([
        [0, 1100, "Aborted"],
        [1000, 1100, "Response"]
      ])
      expect(history).toEqual([
        { attempt: 1, tag: "Interrupted", delayMs: 0, elapsedMs: 1100, phase: "written", reason: "hedge-lost" },
        { attempt: 2, tag: "Success", status: 200, delayMs: 0, elapsedMs: 1100, phase: "body", hedged: true }
      ])
      expect((yield* Metric.value(Metric.tagged(Metrics.hedges, "outcome", "won"))).count - won).toBe(1)
    }).pipe(withClient({ policies: [hedge] }))
  })

  it.effect("an attempt that answers before the delay is not hedged", () => {
    const hedge = Hedge.make({ delay: "1 second" })
    return Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      const result = yield* run(Client.text(get))
      expect(result).toEqual(Either.right("first"))
      expect((yield* net.attempts("* /items")).length).toBe(1)
    }).pipe(withClient({ policies: [hedge] }, network(Fault.latency("999 millis", Reply.text(200, "first")))))
  })

  it.effect("POST is not hedged (it may not be sent twice)", () => {
    const hedge = Hedge.make({ delay: "1 second" })
    return Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      const result = yield* run(Client.text(HttpClientRequest.post(`${origin}/items`)))
      expect(result).toEqual(Either.right("first"))
      expect((yield* net.attempts("* /items")).map((a) => a.at)).toEqual([0])
    }).pipe(withClient({ policies: [hedge] }))
  })

  it.effect("a POST with an Idempotency-Key, or one the policy's isSafe accepts, is hedged", () => {
    const hedge = Hedge.make({ delay: "1 second", isSafe: (request) => request.url.endsWith("/items") })
    return Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      const result = yield* run(Client.text(HttpClientRequest.post(`${origin}/items`)))
      expect(result).toEqual(Either.right("second"))
      expect((yield* net.attempts("* /items")).map((a) => a.at)).toEqual([0, 1000])
    }).pipe(withClient({ policies: [hedge] }))
  })

  it.effect("each hedge spends the retry budget: when it refuses, the attempt runs alone to its end", () => {
    const hedge = Hedge.make({ delay: "1 second" })
    // a budget that allows nothing: no share of requests, no floor
    const budget = Budget.make({ ratio: 0, minPerSecond: 0 })
    return Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      const refused = (yield* Metric.value(Metric.tagged(Metrics.hedges, "outcome", "refused"))).count
      expect(yield* run(Client.text(get))).toEqual(Either.right("first"))
      expect((yield* net.attempts("* /items")).map((a) => [a.at, a.endedAt])).toEqual([[0, 5000]])
      expect((yield* Metric.value(Metric.tagged(Metrics.hedges, "outcome", "refused"))).count - refused).toBe(1)
    }).pipe(withClient({ policies: [hedge], retry: { budget } }))
  })

  it.effect("a hedge takes one retry from the budget", () => {
    const hedge = Hedge.make({ delay: "1 second" })
    const budget = Budget.make({ ratio: 0, minPerSecond: 3 })
    return Effect.gen(function*() {
      expect(yield* Budget.available(budget, origin)).toBe(3)
      expect(yield* run(Client.text(get), "1100 millis")).toEqual(Either.right("second"))
      // the hedge at t=1 s took one (the floor has refilled less than one since)
      expect(yield* Budget.available(budget, origin)).toBe(2)
    }).pipe(withClient({ policies: [hedge], retry: { budget } }))
  })

  it.effect("both attempts fail: the first failure is recorded as hedge-wait, the last one goes on to the retry decision", () => {
    const hedge = Hedge.make({ delay: "1 second" })
    const net = SimulatedNetwork.layer(Scenario.make({
      "GET /items": Scenario.sequence([
        Fault.latency("2 seconds", Fault.status(503)),
        Fault.latency("3 seconds", Fault.status(503))
      ], { after: "repeat-last" })
    }))
    return Effect.gen(function*() {
      const result = yield* run(Client.text(get))
      if (Either.isRight(result)) throw new Error("succeeded")
      expect(result.left._tag).toBe("StatusError")
      expect(result.left.attempts).toBe(2)
      expect(result.left.history.map((h) => [h.attempt, h.tag, h.elapsedMs, h.reason, h.hedged])).toEqual([
        [1, "StatusError", 2000, "hedge-wait", undefined],
        [2, "StatusError", 4000, "retries", true]
      ])
    }).pipe(withClient({ policies: [hedge], retry: { retries: 0 } }, net))
  })

  it.effect("a percentile delay: the fallback until enough latencies were seen, then their p90", () => {
    const hedge = Hedge.make({ delay: { percentile: 0.9, fallback: "1 second", minSamples: 10 } })
    // ten fast answers of 10..100 ms teach it a p90 of 90 ms; then one slow answer
    const latencies = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    const net = SimulatedNetwork.layer(Scenario.make({
      "GET /items": Scenario.sequence([
        ...latencies.map((ms) => Fault.latency(`${ms} millis`, Reply.text(200, "fast"))),
        Fault.latency("5 seconds", Reply.text(200, "slow")),
        Fault.latency("1 millis", Reply.text(200, "hedge"))
      ], { after: "repeat-last" })
    }))
    return Effect.gen(function*() {
      const sim = yield* SimulatedNetwork.SimulatedNetwork
      for (let i = 0; i < latencies.length; i++) yield* run(Client.text(get), "1 second")
      const start = (yield* sim.attempts("GET /items")).length
      expect(start).toBe(10)
      const t0 = yield* Clock.currentTimeMillis
      expect(yield* run(Client.text(get))).toEqual(Either.right("hedge"))
      expect((yield* sim.attempts("GET /items")).slice(10).map((a) => a.at - t0)).toEqual([0, 90])
    }).pipe(withClient({ policies: [hedge] }, net))
  })

  it.effect("an interrupted call cuts off every attempt it started", () => {
    const hedge = Hedge.make({ delay: "1 second" })
    const net = SimulatedNetwork.layer(Scenario.make({
      "GET /items": Scenario.sequence([Fault.hang()], { after: "repeat-last" })
    }))
    return Effect.gen(function*() {
      const sim = yield* SimulatedNetwork.SimulatedNetwork
      const fiber = yield* Effect.fork(Client.text(get))
      yield* TestClock.adjust("1500 millis")
      yield* Fiber.interrupt(fiber)
      expect((yield* sim.attempts("GET /items")).map((a) => [a.at, a.endedAt, a.outcome._tag])).toEqual([
        [0, 1500, "Aborted"],
        [1000, 1500, "Aborted"]
      ])
    }).pipe(withClient({ policies: [hedge], timeouts: { response: "1 hour" } }, net))
  })

  it.effect.each([
    { what: "without a hedge policy, a request forks no fiber", policies: [], forks: false },
    { what: "with one, a hedged request forks its attempt", policies: [Hedge.make()], forks: true }
  ])("$what", ({ forks, policies }) =>
    Effect.gen(function*() {
      const mem = Mem.make(() => Effect.succeed({ status: 200, body: "ok" }), { instant: true })
      const count = { started: 0, ended: 0 }
      const body = yield* Effect.scoped(
        Effect.flatMap(Client.make({ policies }), (client) => countForks(count)(client.text(get)))
      ).pipe(Effect.provideService(HttpClient.HttpClient, mem.client))
      expect(body).toBe("ok")
      expect(count.started > 0).toBe(forks)
    }))

  it("invalid options are InvalidOptions naming the option", () => {
    expect(Hedge.validate({ maxHedges: -1 })?.option).toBe("hedge.maxHedges")
    expect(Hedge.validate({ delay: "soon" as never })?.option).toBe("hedge.delay")
    expect(Hedge.validate({ delay: { percentile: 0 } })?.option).toBe("hedge.delay.percentile")
    expect(Hedge.validate({ delay: { percentile: 0.5, samples: 0 } })?.option).toBe("hedge.delay.samples")
    expect(Hedge.validate({ delay: { percentile: 0.99, fallback: "1 second" }, maxHedges: 2 })).toBeUndefined()
    expect(() => Hedge.make({ delay: "forever" as never })).toThrow("hedge.delay")
  })
})

describe("Hedge: for every pair of latencies", () => {
  it.effect.prop(
    "the first answer wins, at min(first, delay + hedge); a hedge starts only past the delay; the loser is aborted",
    [fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 2_000 })],
    ([firstMs, hedgeMs, delayMs]) =>
      Effect.gen(function*() {
        // equal times would race at one virtual instant: the rule is about the strict cases
        if (firstMs === delayMs || firstMs === delayMs + hedgeMs) return
        const mem = Mem.make((request) =>
          Effect.as(Effect.sleep(request.index === 0 ? firstMs : hedgeMs), {
            status: 200,
            body: String(request.index)
          })
        )
        const hedged = firstMs > delayMs
        const winner = !hedged || firstMs < delayMs + hedgeMs ? "0" : "1"
        const endsAt = hedged ? Math.min(firstMs, delayMs + hedgeMs) : firstMs
        yield* Effect.scoped(Effect.gen(function*() {
          const client = yield* Client.make({ policies: [Hedge.make({ delay: delayMs })] })
          const fiber = yield* Effect.fork(client.text(get))
          yield* TestClock.adjust(endsAt - 1)
          expect((yield* Fiber.poll(fiber))._tag).toBe("None")
          yield* TestClock.adjust(1)
          expect(yield* Fiber.join(fiber)).toBe(winner)
        })).pipe(Effect.provideService(HttpClient.HttpClient, mem.client))
        expect(mem.requests.length).toBe(hedged ? 2 : 1)
        if (hedged) expect(mem.requests[winner === "0" ? 1 : 0]!.signal.aborted).toBe(true)
        expect(mem.requests[Number(winner)]!.signal.aborted).toBe(false)
      }),
    { fastCheck: { seed: 20261206, numRuns: 100 } }
  )
})
