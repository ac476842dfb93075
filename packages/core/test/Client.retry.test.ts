import type * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client } from "@steadfast/core"
import { Clock, Random, Schedule } from "effect"
import { after, expectFailure, expectSuccess, paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/items")
const post = HttpClientRequest.post("http://api.test/orders").pipe(HttpClientRequest.bodyText("{}"))
const reset = { fail: Mem.nodeError("ECONNRESET", { syscall: "read" }) }
const refused = { failConnect: Mem.nodeError("ECONNREFUSED", { address: "10.0.0.1", port: 80 }) }
const noJitter = (base: Duration.DurationInput) => ({ retries: 3, backoff: { base, jitter: "none" as const } })

/** A handler that records the virtual time of every request. */
const timed = (times: Array<number>, handler: Mem.Handler): Mem.Handler =>
  Object.assign(
    (request: Mem.MemRequest) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        times.push(now)
        return handler(request)
      }),
    { manualConnect: handler.manualConnect ?? false }
  )

describe("retry", () => {
  for (const path of paths) {
    it.effect(`${path.name}: retries two resets, then succeeds, waiting 100 then 200 ms`, () =>
      Effect.gen(function*() {
        const times: Array<number> = []
        const mem = Mem.make(timed(times, Mem.sequence(reset, reset, Mem.json(200, [1]))))
        const result = yield* after(
          withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(get), path),
          "1 second"
        )
        deepStrictEqual(expectSuccess(result), [1])
        deepStrictEqual(times, [0, 100, 300])
      }))
  }

  it.effect("gives up after the last retry with the last error, its attempt count and history", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset))
      const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(get)), "1 minute")
      const error = expectFailure(result, "ConnectionReset")
      strictEqual(error.attempts, 4)
      strictEqual(mem.requests.length, 4)
      deepStrictEqual(error.history.map((h) => [h.attempt, h.tag, h.delayMs, h.elapsedMs]), [
        [1, "ConnectionReset", 100, 0],
        [2, "ConnectionReset", 200, 100],
        [3, "ConnectionReset", 400, 300],
        [4, "ConnectionReset", 0, 700]
      ])
      strictEqual(error.message.includes("after 4 attempts"), true)
    }))

  it.effect("the final error of a retried call has a stack (attempt errors are built without one)", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(503, {}), Mem.json(503, {})))
      const result = yield* after(
        withClient(mem, { retry: { retries: 1, backoff: { base: "10 millis" } } }, (c) => c.json(get)),
        "1 second"
      )
      const error = expectFailure(result, "StatusError")
      strictEqual(error.attempts, 2)
      strictEqual(error.stack?.includes("\n    at "), true)
    }))

  it.effect("the final error keeps the original cause (the transport's error)", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset))
      const result = yield* after(withClient(mem, { retry: noJitter("10 millis") }, (c) => c.json(get)), "1 minute")
      const error = expectFailure(result, "ConnectionReset")
      strictEqual(error.attempts, 4)
      // the platform error wraps the Node error the in-memory transport failed with
      let node: unknown = error.cause
      while (node instanceof Object && (node as { code?: unknown }).code === undefined) {
        node = (node as { cause?: unknown }).cause
      }
      strictEqual((node as { code?: unknown } | undefined)?.code, "ECONNRESET")
    }))

  it.effect("a Retry-After shorter than the backoff does not shorten it", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const mem = Mem.make(timed(times, Mem.sequence(Mem.json(429, {}, { "retry-after": "0" }), Mem.json(200, "ok"))))
      const result = yield* after(withClient(mem, { retry: noJitter("400 millis") }, (c) => c.json(get)), "10 seconds")
      strictEqual(expectSuccess(result), "ok")
      deepStrictEqual(times, [0, 400])
    }))

  it.effect("a Retry-After past the cap fails at once with the StatusError", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(503, {}, { "retry-after": "3600" }), Mem.json(200, "ok")))
      const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(get)), "0 millis")
      const error = expectFailure(result, "StatusError")
      strictEqual(error.status, 503)
      strictEqual(error.retryAfterMs, 3_600_000)
      strictEqual(mem.requests.length, 1)
    }))

  it.effect("a Retry-After past the remaining deadline fails at once with the StatusError", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(429, {}, { "retry-after": "30" }), Mem.json(200, "ok")))
      const options = { retry: noJitter("100 millis"), timeouts: { deadline: "20 seconds" } } as const
      const result = yield* after(withClient(mem, options, (c) => c.json(get)), "0 millis")
      strictEqual(expectFailure(result, "StatusError").status, 429)
      strictEqual(mem.requests.length, 1)
    }))

  it.effect("the Retry-After cap is configurable", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const mem = Mem.make(timed(times, Mem.sequence(Mem.json(503, {}, { "retry-after": "90" }), Mem.json(200, "ok"))))
      const options = { retry: { ...noJitter("100 millis"), retryAfterMax: "2 minutes" } } as const
      const result = yield* after(withClient(mem, options, (c) => c.json(get)), "100 seconds")
      strictEqual(expectSuccess(result), "ok")
      deepStrictEqual(times, [0, 90_000])
    }))

  it.effect.each([400, 401, 403, 404, 409, 422])("does not retry %i", (status) =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence({ status, headers: { "content-type": "application/json" }, body: "{\"e\":1}" }))
      const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(get)), "1 minute")
      const error = expectFailure(result, "StatusError")
      strictEqual(error.status, status)
      strictEqual(error.attempts, 1)
      strictEqual(error.body, "{\"e\":1}")
      strictEqual(mem.requests.length, 1)
    }))

  it.effect.each([408, 429, 500, 502, 503, 504])("retries %i", (status) =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(status, {}), Mem.json(200, "ok")))
      const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(get)), "1 minute")
      strictEqual(expectSuccess(result), "ok")
      strictEqual(mem.requests.length, 2)
    }))

  it.effect("does not retry a TLS failure", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence({ failConnect: Mem.nodeError("CERT_HAS_EXPIRED") }))
      const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(get)), "1 minute")
      strictEqual(expectFailure(result, "TlsError").reason, "expired")
      strictEqual(mem.requests.length, 1)
    }))

  describe("POST safety", () => {
    it.effect("a POST is not retried after a reset: it may have reached the server", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")))
        const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(post)), "1 minute")
        strictEqual(expectFailure(result, "ConnectionReset").requestSent, true)
        strictEqual(mem.requests.length, 1)
      }))

    it.effect("a POST is retried when the connection was refused", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(refused, Mem.json(200, "ok")))
        const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(post)), "1 minute")
        strictEqual(expectSuccess(result), "ok")
        strictEqual(mem.requests.length, 2)
      }))

    it.effect("a POST is retried after a reset that came before the request went out", () =>
      Effect.gen(function*() {
        const early = { failConnect: Mem.nodeError("ECONNRESET", { syscall: "read" }) }
        const mem = Mem.make(Mem.sequence(early, Mem.json(200, "ok")))
        const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(post)), "1 minute")
        strictEqual(expectSuccess(result), "ok")
      }))

    it.effect("a POST is not retried after a 503", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(Mem.json(503, {}), Mem.json(200, "ok")))
        const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(post)), "1 minute")
        strictEqual(expectFailure(result, "StatusError").status, 503)
      }))

    it.effect("a POST with an Idempotency-Key is retried after a reset", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")))
        const keyed = HttpClientRequest.setHeader(post, "Idempotency-Key", "order-42")
        const result = yield* after(
          withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(keyed)),
          "1 minute"
        )
        strictEqual(expectSuccess(result), "ok")
        strictEqual(mem.requests[1]!.headers["idempotency-key"], "order-42")
      }))

    it.effect("a POST is retried after a reset when the policy opts in", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")))
        const options = { retry: { ...noJitter("100 millis"), retryNonIdempotent: true } }
        const result = yield* after(withClient(mem, options, (c) => c.json(post)), "1 minute")
        strictEqual(expectSuccess(result), "ok")
        strictEqual(mem.requests[1]!.body, "{}")
      }))

    it.effect("a PUT (idempotent) is retried after a reset with its body", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")))
        const put = HttpClientRequest.put("http://api.test/items/1").pipe(HttpClientRequest.bodyText("x"))
        const result = yield* after(withClient(mem, { retry: noJitter("100 millis") }, (c) => c.json(put)), "1 minute")
        strictEqual(expectSuccess(result), "ok")
        strictEqual(mem.requests[1]!.body, "x")
      }))
  })

  it.effect("Retry.none makes a single attempt", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")))
      const result = yield* after(withClient(mem, { retry: { retries: 0 } }, (c) => c.json(get)), "1 minute")
      strictEqual(expectFailure(result, "ConnectionReset").attempts, 1)
    }))

  it.effect("any Schedule composes: a fixed spacing, still limited by retries", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const mem = Mem.make(timed(times, Mem.sequence(reset)))
      const options = { retry: { schedule: Schedule.spaced("3 seconds"), retries: 2 } }
      const result = yield* after(withClient(mem, options, (c) => c.json(get)), "1 minute")
      strictEqual(expectFailure(result, "ConnectionReset").attempts, 3)
      deepStrictEqual(times, [0, 3000, 6000])
    }))

  it.effect("jittered delays are reproducible with a seeded Random", () =>
    Effect.gen(function*() {
      const run = Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(reset))
        const result = yield* after(withClient(mem, { retry: { retries: 5 } }, (c) => c.json(get)), "10 minutes")
        return expectFailure(result, "ConnectionReset").history.map((h) => h.delayMs)
      })
      const first = yield* Effect.withRandom(run, Random.make(42))
      const second = yield* Effect.withRandom(run, Random.make(42))
      const other = yield* Effect.withRandom(run, Random.make(7))
      deepStrictEqual(first, second)
      strictEqual(first.join() === other.join(), false)
      // full jitter: the n-th delay is within [0, 100 × 2^n]
      first.slice(0, 5).forEach((d, n) => strictEqual(d >= 0 && d <= 100 * 2 ** n, true))
    }))

  it.effect("a 10-retry exponential run waits its 303 s in virtual time", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset))
      const options = {
        retry: { retries: 10, backoff: { base: "1 second", cap: "1 minute", jitter: "none" } },
        timeouts: { deadline: "1 hour" }
      } as const
      const result = yield* after(withClient(mem, options, (c) => c.json(get)), "1 hour")
      const error = expectFailure(result, "ConnectionReset")
      strictEqual(error.attempts, 11)
      // 1+2+4+…+32 s, then 60 s four times: 303 s of virtual waiting
      strictEqual(error.history.at(-1)!.elapsedMs, 303_000)
    }))

  it.effect("maxElapsed counts from the first attempt and does not start a wait that would pass it", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset))
      const options = {
        retry: { retries: 10, backoff: { base: "1 second", jitter: "none" }, maxElapsed: "2500 millis" }
      } as const
      const result = yield* after(withClient(mem, options, (c) => c.json(get)), "1 minute")
      const error = expectFailure(result, "ConnectionReset")
      // attempts at 0 and 1000 ms; the next wait (2000 ms) would end at 3000 ms
      strictEqual(error.attempts, 2)
      deepStrictEqual(error.history.map((h) => h.elapsedMs), [0, 1000])
    }))

  it.effect("retries are skipped once the retry budget says no", () =>
    Effect.gen(function*() {
      let withdrawn = 0
      const budget = { request: () => {}, withdraw: () => ++withdrawn <= 1 }
      const mem = Mem.make(Mem.sequence(reset))
      const result = yield* after(
        withClient(mem, { retry: { ...noJitter("100 millis"), budget } }, (c) => c.json(get)),
        "1 minute"
      )
      strictEqual(expectFailure(result, "ConnectionReset").attempts, 2)
    }))

  it.effect("a client derived with another policy keeps the transport", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")))
      const result = yield* after(
        withClient(mem, { retry: { retries: 0 } }, (c) => Client.withRetry(c, noJitter("100 millis")).json(get)),
        "1 minute"
      )
      strictEqual(expectSuccess(result), "ok")
    }))
})
