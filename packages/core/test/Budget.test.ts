/**
 * The retry budget through a client under TestClock: exact server counts,
 * the refusal marked on the error and its history, the metric, sharing
 * through a layer. Its arithmetic on its own: Budget.counters.test.ts.
 */
import * as Cause from "#line/Cause"
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import * as Layer from "#line/Layer"
import * as Metric from "#line/Metric"
import * as TestClock from "#line/TestClock"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Budget, Client, Errors, Metrics, Retry } from "@steadfast/core"
import { after, expectFailure } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const origin = "http://api.test"
const get = HttpClientRequest.get(`${origin}/items`)
const failing = () => Mem.make(Mem.sequence(Mem.json(503, {})))
/** Retries after 1 s, 2 s, 4 s exactly (no jitter). */
const steady: Retry.Options = { retries: 3, backoff: { base: "1 second", jitter: "none" } }

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
