/**
 * The retry budget: its arithmetic on its own (exact counts, and a
 * fast-check property with a fixed seed for every sequence of requests and
 * retries), and through a client under TestClock (exact server counts, the
 * refusal marked on the error and its history, the metric, sharing through a
 * layer).
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Budget, Client, Errors, Metrics, Retry } from "@steadfast/core"
import { Cause, Effect, Either, Exit, Fiber, Layer, Metric, TestClock } from "effect"
import * as FC from "effect/FastCheck"
import { after, expectFailure } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const origin = "http://api.test"
const get = HttpClientRequest.get(`${origin}/items`)
const failing = () => Mem.make(Mem.sequence(Mem.json(503, {})))
/** Retries after 1 s, 2 s, 4 s exactly (no jitter). */
const steady: Retry.Options = { retries: 3, backoff: { base: "1 second", jitter: "none" } }

describe("Budget: the counters", () => {
  it("a new budget allows the floor: 10 retries at once, then none", () => {
    const budget = Budget.make()
    const granted = Array.from({ length: 12 }, () => budget.withdraw(origin, 0))
    expect(granted.filter(Boolean).length).toBe(10)
    expect(granted.slice(10)).toEqual([false, false])
  })

  it("each request adds a fifth of a retry: 100 requests allow 20 retries beyond the floor", () => {
    const budget = Budget.make()
    for (let i = 0; i < 100; i++) budget.request(origin, 0)
    expect(budget.available(origin, 0)).toBe(30)
    let granted = 0
    while (budget.withdraw(origin, 0)) granted++
    expect(granted).toBe(30)
  })

  it("the floor refills at 10 per second, never above 10", () => {
    const budget = Budget.make()
    while (budget.withdraw(origin, 0)) { /* spend the floor */ }
    expect(budget.available(origin, 99)).toBe(0)
    expect(budget.available(origin, 100)).toBe(1)
    expect(budget.available(origin, 550)).toBe(5)
    expect(budget.available(origin, 60_000)).toBe(10)
  })

  it("requests older than the window no longer count", () => {
    const budget = Budget.make({ minPerSecond: 0 })
    for (let i = 0; i < 50; i++) budget.request(origin, 0)
    expect(budget.available(origin, 9_999)).toBe(10)
    expect(budget.available(origin, 10_000)).toBe(0)
  })

  it("origins have their own accounts", () => {
    const budget = Budget.make({ minPerSecond: 0 })
    for (let i = 0; i < 5; i++) budget.request("http://a.test", 0)
    expect(budget.withdraw("http://b.test", 0)).toBe(false)
    expect(budget.withdraw("http://a.test", 0)).toBe(true)
  })

  it("invalid options are InvalidOptions naming the option", () => {
    expect(Budget.validate({ ratio: 1.5 })?.option).toBe("budget.ratio")
    expect(Budget.validate({ minPerSecond: -1 })?.option).toBe("budget.minPerSecond")
    expect(Budget.validate({ window: "1 milli" })?.option).toBe("budget.window")
    expect(() => Budget.make({ ratio: Number.NaN })).toThrow(Errors.InvalidOptions)
    expect(Budget.validate({ ratio: 0, minPerSecond: 0, window: "1 minute" })).toBeUndefined()
  })

  it("for every sequence of requests and retries: granted ≤ ratio × requests + floor × (seconds + 1)", () => {
    const event = FC.record({
      gapMs: FC.integer({ min: 0, max: 3_000 }),
      kind: FC.constantFrom("request", "retry"),
      count: FC.integer({ min: 1, max: 30 })
    })
    FC.assert(
      FC.property(
        FC.double({ min: 0, max: 1, noNaN: true }),
        FC.integer({ min: 0, max: 20 }),
        FC.integer({ min: 100, max: 20_000 }),
        FC.array(event, { maxLength: 60 }),
        (ratio, minPerSecond, windowMs, events) => {
          const budget = Budget.make({ ratio, minPerSecond, window: windowMs })
          let now = 0
          let requests = 0
          let granted = 0
          for (const e of events) {
            now += e.gapMs
            for (let i = 0; i < e.count; i++) {
              if (e.kind === "request") {
                budget.request(origin, now)
                requests++
              } else if (budget.withdraw(origin, now)) granted++
            }
          }
          const ratioUnits = Math.round(ratio * 1000)
          return granted <= Math.floor((ratioUnits * requests) / 1000) + minPerSecond * (now / 1000 + 1)
        }
      ),
      { seed: 20261206, numRuns: 2000 }
    )
  })
})

describe("Budget: through the client, under TestClock", () => {
  it.effect("on by default: 100 GETs to an origin that always answers 503 reach it 150 times, not 400", () =>
    Effect.gen(function*() {
      const mem = failing()
      const refusedBefore = (yield* Metric.value(Metric.tagged(Metrics.retriesRefused, "reason", "budget"))).count
      const results = yield* after(
        Effect.gen(function*() {
          const client = yield* Client.make({ retry: steady })
          return yield* Effect.forEach(
            Array.from({ length: 100 }),
            () => Effect.either(client.text(get)),
            { concurrency: "unbounded" }
          )
        }).pipe(Effect.scoped, Effect.provideService(HttpClient.HttpClient, mem.client)),
        "1 minute"
      )
      // t=0: 100 requests, 30 retries allowed (100 × 0.2 + the floor's 10); t=1 s: 10 of those 30 retried
      // again (the floor refilled); t=3 s: the same 10 (the floor refilled again); t=7 s: their last try
      expect(mem.requests.length).toBe(100 + 30 + 10 + 10)
      if (results === undefined || Either.isLeft(results)) throw new Error("the requests did not end")
      const errors = results.right.map((r) => {
        if (Either.isRight(r)) throw new Error("a request succeeded")
        return r.left
      })
      const refused = errors.filter((e) => e.retryRefused === "budget")
      expect(refused.length).toBe(90)
      for (const e of refused) {
        expect(e.history.at(-1)).toMatchObject({ decision: "give-up", reason: "budget", retryRefused: "budget" })
        expect(e.message).toContain("Not retried: the retry budget is spent")
      }
      expect(errors.filter((e) => e.attempts === 4).length).toBe(10)
      const refusedAfter = (yield* Metric.value(Metric.tagged(Metrics.retriesRefused, "reason", "budget"))).count
      expect(refusedAfter - refusedBefore).toBe(90)
    }))

  it.effect("Retry.unlimited turns it off: 20 GETs, 80 attempts", () =>
    Effect.gen(function*() {
      const mem = failing()
      yield* after(
        Effect.gen(function*() {
          const client = yield* Client.make({ retry: { ...steady, budget: Retry.unlimited } })
          yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.either(client.text(get)), {
            concurrency: "unbounded"
          })
        }).pipe(Effect.scoped, Effect.provideService(HttpClient.HttpClient, mem.client)),
        "1 minute"
      )
      expect(mem.requests.length).toBe(80)
    }))

  it.effect("a SharedBudget layer is one budget for every client built with it", () =>
    Effect.gen(function*() {
      const mem = failing()
      const program = Effect.gen(function*() {
        const a = yield* Client.make({ retry: steady })
        const b = yield* Client.make({ retry: steady })
        const shared = yield* Budget.SharedBudget
        // the floor's 10 retries, spent by client a …
        for (let i = 0; i < 10; i++) shared.withdraw(origin, 0)
        // … leave none for client b
        const fiber = yield* Effect.fork(Effect.either(b.text(get)))
        yield* TestClock.adjust("1 millis")
        const error = expectFailure(yield* Fiber.join(fiber), "StatusError")
        expect(error.retryRefused).toBe("budget")
        expect(error.attempts).toBe(1)
        expect(a.settings.retry.budget).toBeUndefined()
      })
      yield* program.pipe(
        Effect.scoped,
        Effect.provide(Budget.layer()),
        Effect.provideService(HttpClient.HttpClient, mem.client)
      )
    }))

  it.effect("a client has its own budget when none is shared", () =>
    Effect.gen(function*() {
      const mem = failing()
      const exit = yield* after(
        Effect.gen(function*() {
          const quick = { base: "1 millis", factor: 1, jitter: "none" } as const
          const a = yield* Client.make({ retry: { retries: 20, backoff: quick } })
          const b = yield* Client.make({ retry: { retries: 1, backoff: quick } })
          // a spends its own floor in 10 ms (it refills one retry per 100 ms) …
          const first = yield* Effect.either(a.text(get))
          // … b still retries
          const second = yield* Effect.either(b.text(get))
          return [first, second] as const
        }).pipe(Effect.scoped, Effect.provideService(HttpClient.HttpClient, mem.client)),
        "1 minute"
      )
      if (exit === undefined || Either.isLeft(exit)) throw new Error("did not end")
      const [first, second] = exit.right
      expect(Either.isLeft(first) && first.left.retryRefused).toBe("budget")
      expect(Either.isLeft(second) && second.left.attempts).toBe(2)
    }))

  it.effect("invalid budget options fail the layer with InvalidOptions", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(Budget.layer({ ratio: 2 })).pipe(Effect.scoped))
      if (Exit.isSuccess(exit)) throw new Error("the layer was built")
      const failure = Cause.failureOption(exit.cause)
      expect(failure._tag === "Some" && Errors.isInvalidOptions(failure.value) && failure.value.option).toBe(
        "budget.ratio"
      )
    }))
})
