import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Fiber from "#line/Fiber"
import * as TestClock from "#line/TestClock"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertTrue, strictEqual } from "@effect/vitest/utils"
import { Client, Timeouts, Transport } from "@steadfast/core"
import { Option } from "effect"
import { expectFailure, expectSuccess, paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/items")
const noRetry = { retry: { retries: 0 } } as const

/** Forks `effect`, checks it is still running 1 ms before `ms`, and returns its result at `ms`. */
const firesAt = <A, E>(effect: Effect.Effect<A, E>, ms: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.either(effect))
    yield* TestClock.adjust(ms - 1)
    const early = yield* Fiber.poll(fiber)
    assertTrue(Option.isNone(early), `finished before ${ms} ms: ${JSON.stringify(early)}`)
    yield* TestClock.adjust(1)
    const done = yield* Fiber.poll(fiber)
    assertTrue(Option.isSome(done), `still running at ${ms} ms`)
    return yield* Fiber.join(fiber)
  })

describe("timeouts", () => {
  it.effect("connect timeout fires at exactly 5 s and aborts the transport's signal", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, {})), { connectDelay: () => "1 minute" })
      const result = yield* firesAt(withClient(mem, noRetry, (c) => c.json(get)), 5000)
      const error = expectFailure(result, "ConnectTimeout")
      strictEqual(error.timeoutMs, 5000)
      const signal = mem.requests[0]!.signal
      strictEqual(signal.aborted, true)
      strictEqual(Transport.abortReasonTag(signal), "ConnectTimeout")
    }))

  it.effect("a transport that cannot report connecting is covered by the response timeout", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, {})), { connectDelay: () => "1 minute" })
      const result = yield* firesAt(withClient(mem, noRetry, (c) => c.json(get), paths[1]), 30_000)
      expectFailure(result, "ResponseTimeout")
    }))

  for (const path of paths) {
    describe(path.name, () => {
      it.effect("response timeout fires at exactly 30 s and aborts the transport's signal", () =>
        Effect.gen(function*() {
          const mem = Mem.make(Mem.sequence("hang"))
          const result = yield* firesAt(withClient(mem, noRetry, (c) => c.json(get), path), 30_000)
          const error = expectFailure(result, "ResponseTimeout")
          strictEqual(error.timeoutMs, 30_000)
          strictEqual(mem.requests[0]!.signal.aborted, true)
        }))

      it.effect("the response timeout starts when the connection is up", () =>
        Effect.gen(function*() {
          const mem = Mem.make(Mem.sequence("hang"), { connectDelay: () => "2 seconds" })
          // generic path: no connect reporting, so the clock starts with the attempt
          const at = path === paths[0] ? 32_000 : 30_000
          const result = yield* firesAt(withClient(mem, noRetry, (c) => c.json(get), path), at)
          expectFailure(result, "ResponseTimeout")
        }))

      it.effect("body idle timeout fires 30 s after the last chunk", () =>
        Effect.gen(function*() {
          const mem = Mem.make(Mem.sequence({
            status: 200,
            chunks: [{ data: "ab" }, { after: "10 seconds", data: "cd" }, { after: "10 seconds", data: "ef" }, {
              after: "1 hour",
              data: "never"
            }]
          }))
          const result = yield* firesAt(withClient(mem, noRetry, (c) => c.text(get), path), 50_000)
          const error = expectFailure(result, "BodyTimeout")
          strictEqual(error.bytesReceived, 6)
          strictEqual(error.timeoutMs, 30_000)
        }))

      it.effect("a slow but steady body is not cut off", () =>
        Effect.gen(function*() {
          const chunks = Array.from({ length: 5 }, (_, i): Mem.Chunk => ({ after: "20 seconds", data: String(i) }))
          const mem = Mem.make(Mem.sequence({ status: 200, chunks }))
          const result = yield* firesAt(withClient(mem, noRetry, (c) => c.text(get), path), 100_000)
          strictEqual(expectSuccess(result), "01234")
        }))

      it.effect("the deadline cuts an attempt off at its instant", () =>
        Effect.gen(function*() {
          const mem = Mem.make(Mem.sequence("hang"))
          const options = { ...noRetry, timeouts: { deadline: "10 seconds" } } as const
          const result = yield* firesAt(withClient(mem, options, (c) => c.json(get), path), 10_000)
          const error = expectFailure(result, "DeadlineExceeded")
          strictEqual(error.deadlineMs, 10_000)
          const signal = mem.requests[0]!.signal
          strictEqual(signal.aborted, true)
          // the platform client aborts its own signal; the direct path sees the reason
          if (path === paths[0]) strictEqual(Transport.abortReasonTag(signal), "DeadlineExceeded")
        }))

      it.effect("the deadline spans retries and ends an attempt in flight", () =>
        Effect.gen(function*() {
          const mem = Mem.make(Mem.sequence({ fail: Mem.nodeError("ECONNRESET", { syscall: "read" }) }, "hang"))
          const options = {
            retry: { retries: 5, backoff: { base: "1 second", jitter: "none" } },
            timeouts: { deadline: "4 seconds" }
          } as const
          const result = yield* firesAt(withClient(mem, options, (c) => c.json(get), path), 4000)
          const error = expectFailure(result, "DeadlineExceeded")
          strictEqual(error.attempts, 2)
          strictEqual(error.lastError, "ConnectionReset")
        }))

      it.effect("interrupting the caller aborts the transport's signal", () =>
        Effect.gen(function*() {
          const mem = Mem.make(Mem.sequence("hang"))
          const fiber = yield* Effect.fork(withClient(mem, noRetry, (c) => c.json(get), path))
          yield* TestClock.adjust("1 second")
          yield* Fiber.interrupt(fiber)
          strictEqual(mem.requests[0]!.signal.aborted, true)
        }))
    })
  }

  it.effect("deadline wins over backoff: a retry that would pass the deadline fails at once", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence({ fail: Mem.nodeError("ECONNRESET", { syscall: "read" }) }))
      const options = {
        retry: { retries: 5, backoff: { base: "800 millis", jitter: "none" } },
        timeouts: { deadline: "2 seconds" }
      } as const
      // attempt 1 at 0 ms, attempt 2 at 800 ms; the next wait (1600 ms) would end at 2400 ms
      const result = yield* firesAt(withClient(mem, options, (c) => c.json(get)), 800)
      const error = expectFailure(result, "DeadlineExceeded")
      strictEqual(error.attempts, 2)
      strictEqual(mem.requests.length, 2)
      strictEqual(error.history.map((h) => h.delayMs).join(","), "800,0")
    }))

  it.effect("timeouts can be changed per request by deriving a client", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence("hang"))
      const result = yield* firesAt(
        withClient(mem, noRetry, (c) => Client.withTimeouts(c, { response: "1500 millis" }).json(get)),
        1500
      )
      strictEqual(expectFailure(result, "ResponseTimeout").timeoutMs, 1500)
    }))

  it.effect("every limit can be turned off: a hanging request then waits for ever", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence("hang"))
      const off = { connect: Timeouts.off, response: Timeouts.off, bodyIdle: Timeouts.off, deadline: Timeouts.off }
      const fiber = yield* Effect.fork(withClient(mem, { ...noRetry, timeouts: off }, (c) => c.json(get)))
      yield* TestClock.adjust("30 days")
      strictEqual(Option.isNone(yield* Fiber.poll(fiber)), true)
      strictEqual(mem.requests[0]!.signal.aborted, false)
      yield* Fiber.interrupt(fiber)
      strictEqual(mem.requests[0]!.signal.aborted, true)
    }))

  it.effect("a timed-out attempt is retried with a fresh timeout", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence("hang", Mem.json(200, { ok: true })))
      const options = { retry: { retries: 1, backoff: { base: "1 second", jitter: "none" } } } as const
      const result = yield* firesAt(withClient(mem, options, (c) => c.json(get)), 31_000)
      strictEqual(Either.isRight(result), true)
      strictEqual(mem.requests.length, 2)
    }))
})
