/**
 * The rate limiter in the client, in memory under TestClock: pacing is
 * exact (virtual time), so the tests assert the instants attempts start at.
 */
import * as Cause from "#line/Cause"
import type * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import * as Layer from "#line/Layer"
import * as RateLimiterStore from "#line/RateLimiter"
import * as TestClock from "#line/TestClock"
import { failingStore } from "#testline/failingStore"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertInclude, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client, type Errors, RateLimit } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import * as Option from "effect/Option"

const api = "https://api.test"
const other = "https://other.test"
const ok = Scenario.sequence([Reply.json(200, {})], { after: "repeat-last" })

const network = (routes: Parameters<typeof Scenario.make>[0] = { "GET /items": ok }) =>
  SimulatedNetwork.layer(Scenario.make(routes))

const withLimiter = (
  limiter: Layer.Layer<RateLimit.RateLimiter, RateLimit.InvalidOptions>,
  routes?: Parameters<typeof Scenario.make>[0],
  options: Client.Options = { retry: { retries: 0 } }
) =>
  Effect.provide(
    Client.layer(options).pipe(Layer.provide(Layer.orDie(limiter)), Layer.provideMerge(network(routes)))
  )

const get = (url = `${api}/items`) => Client.json(HttpClientRequest.get(url))

/** Runs `n` requests at once, moves virtual time by `by`, and returns their results. */
const burst = <A>(
  n: number,
  request: () => Effect.Effect<A, Errors.HttpError, Client.Client>,
  by: Duration.DurationInput = "1 minute"
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(
      Effect.all(Array.from({ length: n }, () => Effect.either(request())), { concurrency: "unbounded" })
    )
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

/** When each attempt started, in virtual ms. */
const starts = (route?: string) =>
  Effect.flatMap(SimulatedNetwork.SimulatedNetwork, (net) => net.attempts(route)).pipe(
    Effect.map((a) => a.map((r) => r.at))
  )

const refusals = (results: ReadonlyArray<Either.Either<unknown, Errors.HttpError>>) =>
  results.flatMap((r) => Either.isLeft(r) && r.left._tag === "RateLimited" ? [r.left] : [])

describe("RateLimit in the client (memory, TestClock)", () => {
  describe("the client's own quota", () => {
    it.effect("token bucket, burst 1: 30 requests at once start exactly 100 ms apart at 10/s", () =>
      Effect.gen(function*() {
        const results = yield* burst(30, () => get())
        strictEqual(results.filter(Either.isRight).length, 30)
        deepStrictEqual(yield* starts(), Array.from({ length: 30 }, (_, i) => i * 100))
      }).pipe(withLimiter(RateLimit.layer({ limit: 10, window: "1 second" }))))

    it.effect("burst 5: five at once, then the steady pace", () =>
      Effect.gen(function*() {
        yield* burst(8, () => get())
        deepStrictEqual(yield* starts(), [0, 0, 0, 0, 0, 100, 200, 300])
      }).pipe(withLimiter(RateLimit.layer({ limit: 10, burst: 5 }))))

    it.effect("fixed window: 5 per second, each window starting at once", () =>
      Effect.gen(function*() {
        yield* burst(12, () => get())
        deepStrictEqual(yield* starts(), [0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000])
      }).pipe(withLimiter(RateLimit.layer({ limit: 5, algorithm: "fixed-window" }))))

    it.effect("a wait longer than maxWait fails at once with RateLimited, and nothing is sent", () =>
      Effect.gen(function*() {
        const results = yield* burst(5, () => get())
        // 1 per second, up to 2.5 s of waiting: slots at 0, 1, 2 s; the other two are refused
        deepStrictEqual(yield* starts(), [0, 1000, 2000])
        const refused = refusals(results)
        deepStrictEqual(refused.map((e) => [e.reason, e.key, e.attempts]), [
          ["quota", api, 0],
          ["quota", api, 0]
        ])
        strictEqual(refused[0]!.waitMs, 3000)
        assertInclude(refused[0]!.message, "GET https://api.test/items: rate limited for https://api.test")
        assertInclude(refused[0]!.message, "raise `maxWait`")
      }).pipe(withLimiter(RateLimit.layer({ limit: 1, maxWait: "2500 millis" }))))

    it.effect("maxWait 0 never waits", () =>
      Effect.gen(function*() {
        const results = yield* burst(3, () => get(), "1 milli")
        deepStrictEqual(yield* starts(), [0])
        strictEqual(refusals(results).length, 2)
      }).pipe(withLimiter(RateLimit.layer({ limit: 1, maxWait: 0 }))))

    it.effect("the deadline bounds the wait too", () =>
      Effect.gen(function*() {
        const results = yield* burst(2, () => get())
        deepStrictEqual(yield* starts(), [0])
        deepStrictEqual(refusals(results).map((e) => e.waitMs), [1000])
      }).pipe(
        withLimiter(RateLimit.layer({ limit: 1 }), undefined, {
          retry: { retries: 0 },
          timeouts: { deadline: "500 millis" }
        })
      ))

    it.effect("each origin has its own quota", () =>
      Effect.gen(function*() {
        yield* burst(4, () => Effect.zip(get(`${api}/items`), get(`${other}/items`), { concurrent: true }))
        deepStrictEqual(yield* starts(`GET /items`), [0, 0, 1000, 1000, 2000, 2000, 3000, 3000])
        const hosts = (yield* Effect.flatMap(SimulatedNetwork.SimulatedNetwork, (net) => net.timeline))
          .map((r) => new URL(r.url).host)
        deepStrictEqual([...hosts].sort(), [...Array(4).fill("api.test"), ...Array(4).fill("other.test")])
      }).pipe(withLimiter(RateLimit.layer({ limit: 1 }))))

    it.effect("a key function can exempt requests", () =>
      Effect.gen(function*() {
        yield* burst(3, () => get(`${api}/health`))
        deepStrictEqual(yield* starts(), [0, 0, 0])
      }).pipe(
        withLimiter(
          RateLimit.layer({
            limit: 1,
            key: ({ url }) => url.pathname === "/health" ? undefined : url.origin
          }),
          { "GET /health": ok }
        )
      ))

    it.effect("a retry waits for its slot like any attempt", () =>
      Effect.gen(function*() {
        const results = yield* burst(1, () => get())
        strictEqual(results.filter(Either.isRight).length, 1)
        // the reset is retried at once (no backoff), and waits for the next token, a second after the first
        // (no backoff: with one, Effect 3's @effect/experimental store counts the wait in whole refill intervals
        // from the moment it is asked, 100 ms + 1 s, where Effect 4's store answers with the token's time)
        deepStrictEqual(yield* starts(), [0, 1000])
      }).pipe(
        withLimiter(
          RateLimit.layer({ limit: 1 }),
          { "GET /items": Scenario.sequence([Fault.reset(), Reply.json(200, {})], { after: "fail" }) },
          { retry: { retries: 1, backoff: { base: "0 millis", jitter: "none" } } }
        )
      ))
  })

  describe("the server's word", () => {
    it.effect("Retry-After on a 429 holds back the other requests to that origin until then", () =>
      Effect.gen(function*() {
        const first = yield* Effect.fork(get())
        yield* TestClock.adjust("500 millis")
        const second = yield* Effect.fork(get())
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(first)
        yield* Fiber.join(second)
        // the retry of the first and the second request both start when the server said
        deepStrictEqual(yield* starts(), [0, 2000, 2000])
      }).pipe(
        withLimiter(
          RateLimit.layer(),
          {
            "GET /items": Scenario.sequence([Fault.status(429, { retryAfter: 2 }), Reply.json(200, {})], {
              after: "repeat-last"
            })
          },
          { retry: { retries: 1, backoff: { base: "100 millis", jitter: "none" } } }
        )
      ))

    it.effect("RateLimit: r=0;t=5 on a success: the next request waits for the reset", () =>
      Effect.gen(function*() {
        yield* get()
        const next = yield* Effect.fork(get())
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(next)
        deepStrictEqual(yield* starts(), [0, 5000])
      }).pipe(
        withLimiter(RateLimit.layer(), {
          "GET /items": Scenario.sequence([
            Reply.json(200, {}, { "ratelimit-policy": "\"default\";q=100;w=60", ratelimit: "\"default\";r=0;t=5" }),
            Reply.json(200, {})
          ], { after: "repeat-last" })
        })
      ))

    const t0 = Date.UTC(2025, 5, 15, 12, 0, 0)
    it.effect("X-RateLimit-Remaining 2 with an epoch reset: two more go, the rest wait for the reset", () =>
      Effect.gen(function*() {
        yield* get()
        const results = yield* burst(4, () => get())
        strictEqual(results.filter(Either.isRight).length, 4)
        deepStrictEqual((yield* starts()).map((at) => at - t0), [0, 0, 0, 30_000, 30_000])
      }).pipe(
        withLimiter(RateLimit.layer(), {
          "GET /items": Scenario.sequence([
            Reply.json(200, {}, {
              "x-ratelimit-limit": "60",
              "x-ratelimit-remaining": "2",
              "x-ratelimit-reset": String(Date.UTC(2025, 5, 15, 12, 0, 30) / 1000)
            }),
            Reply.json(200, {})
          ], { after: "repeat-last" })
        }),
        // a realistic clock, so the reset reads as GitHub's epoch seconds; set before the limiter starts (Effect 4's
        // memory store sweeps once a minute, and a clock moved by 55 years would wake that sweep every minute of it)
        (test) => Effect.zipRight(TestClock.setTime(t0), test)
      ))

    it.effect("a server wait longer than maxWait fails at once with reason server, and nothing is sent", () =>
      Effect.gen(function*() {
        yield* Effect.either(get())
        const result = yield* Effect.either(get())
        const error = Either.isLeft(result) ? result.left : undefined
        strictEqual(error?._tag, "RateLimited")
        const limited = error as Errors.RateLimited
        deepStrictEqual([limited.reason, limited.waitMs], ["server", 3_600_000])
        assertInclude(limited.message, "The server asked for this pause")
        strictEqual((yield* starts()).length, 1)
      }).pipe(
        withLimiter(RateLimit.layer(), {
          "GET /items": Scenario.sequence([Fault.status(429, { retryAfter: 3600 })], { after: "repeat-last" })
        })
      ))

    it.effect("learn: false ignores the headers", () =>
      Effect.gen(function*() {
        yield* get()
        yield* get()
        deepStrictEqual(yield* starts(), [0, 0])
      }).pipe(
        withLimiter(RateLimit.layer({ learn: false }), {
          "GET /items": Scenario.sequence([Reply.json(200, {}, { ratelimit: "\"d\";r=0;t=5" })], {
            after: "repeat-last"
          })
        })
      ))

    it.effect("without a limiter in the context the client learns nothing", () =>
      Effect.gen(function*() {
        yield* get()
        yield* get()
        deepStrictEqual(yield* starts(), [0, 0])
      }).pipe(
        Effect.provide(
          Client.layer({ retry: { retries: 0 } }).pipe(
            Layer.provideMerge(network({
              "GET /items": Scenario.sequence([Reply.json(200, {}, { ratelimit: "\"d\";r=0;t=5" })], {
                after: "repeat-last"
              })
            }))
          )
        )
      ))

    it.effect("RateLimited is not retried by default", () =>
      Effect.gen(function*() {
        const results = yield* burst(2, () => get())
        const refused = refusals(results)
        strictEqual(refused.length, 1)
        deepStrictEqual(refused[0]!.history, [])
        strictEqual((yield* starts()).length, 1)
      }).pipe(withLimiter(RateLimit.layer({ limit: 1, maxWait: 0 }), undefined, { retry: { retries: 3 } })))
  })

  describe("a failing store", () => {
    const failing = (calls: { n: number }) =>
      Layer.succeed(RateLimiterStore.RateLimiterStore, failingStore(() => calls.n++, "store down"))

    it.effect("onStoreFailure local: a local limiter with the same options paces the requests", () => {
      const calls = { n: 0 }
      return Effect.gen(function*() {
        yield* burst(5, () => get(), "10 seconds")
        deepStrictEqual(yield* starts(), [0, 100, 200, 300, 400])
        // the store was asked once, then again only after a second had passed (and never since)
        strictEqual(calls.n, 1)
      }).pipe(
        withLimiter(
          RateLimit.layerStore({ limit: 10, onStoreFailure: "local" }).pipe(Layer.provide(failing(calls)))
        )
      )
    })

    it.effect("the store is asked again a second after a failure", () => {
      const calls = { n: 0 }
      return Effect.gen(function*() {
        yield* get()
        yield* TestClock.adjust("999 millis")
        yield* get()
        strictEqual(calls.n, 1)
        yield* TestClock.adjust("1 milli")
        yield* get()
        strictEqual(calls.n, 2)
      }).pipe(withLimiter(RateLimit.layerStore({ limit: 1000 }).pipe(Layer.provide(failing(calls)))))
    })

    it.effect("onStoreFailure fail: RateLimited with reason store, nothing sent", () =>
      Effect.gen(function*() {
        const result = yield* Effect.either(get())
        const error = Either.isLeft(result) ? result.left : undefined
        strictEqual(error?._tag, "RateLimited")
        strictEqual((error as Errors.RateLimited).reason, "store")
        assertInclude(error!.message, "the rate-limit store for https://api.test is unavailable")
        strictEqual((yield* starts()).length, 0)
      }).pipe(
        withLimiter(
          RateLimit.layerStore({ limit: 10, onStoreFailure: "fail" }).pipe(Layer.provide(failing({ n: 0 })))
        )
      ))
  })

  describe("options", () => {
    it.effect.each([
      { options: { limit: 0 }, reason: "limit must be a positive number (got 0)" },
      { options: { limit: 10, burst: 0 }, reason: "burst must be an integer >= 1 (got 0)" },
      { options: { limit: 10, window: 0 }, reason: "window must be a finite, positive duration (got 0)" },
      { options: { limit: Number.NaN }, reason: "limit must be a positive number (got NaN)" }
    ])("$reason", ({ options, reason }) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Layer.build(RateLimit.layer(options as RateLimit.Options)).pipe(Effect.scoped))
        deepStrictEqual(
          Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause))?.reason : undefined,
          reason
        )
      }))
  })
})
