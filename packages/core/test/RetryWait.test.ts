/**
 * The wait before a retry (internal/retryWait.ts): on Effect's own clock, one
 * timer of the call's that the call's end clears when it is interrupted
 * while waiting; on a `TestClock`, the clock's own sleep (virtual time).
 *
 * The live-clock test watches `setTimeout`/`clearTimeout` for the timer of
 * the wait (its delay, one minute, is the policy's backoff and nothing
 * else's); it waits for the first attempt with a bounded poll and never for
 * the minute.
 */
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import * as TestClock from "#line/TestClock"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import { withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const MINUTE = 60_000
const options: Client.Options = {
  retry: { retries: 2, backoff: { base: "1 minute", cap: "1 minute", jitter: "none" } },
  timeouts: { deadline: "10 minutes" }
}
const request = (mem: Mem.Mem) =>
  withClient(mem, options, (client) => client.text(HttpClientRequest.get("http://mem.test/")))

/** Records the timers of `delay` ms set while `effect` runs, and which of them were cleared. */
const watchingTimers = <A, E>(delay: number, effect: (timers: Timers) => Effect.Effect<A, E>) => {
  const timers: Timers = { set: [], cleared: [] }
  const { clearTimeout: clear, setTimeout: set } = globalThis
  return Effect.acquireUseRelease(
    Effect.sync(() => {
      globalThis.setTimeout = ((f: () => void, ms?: number) => {
        const handle = set(f, ms)
        if (ms === delay) timers.set.push(handle)
        return handle
      }) as typeof setTimeout
      globalThis.clearTimeout = ((handle: ReturnType<typeof setTimeout> | undefined) => {
        if (handle !== undefined && timers.set.includes(handle)) timers.cleared.push(handle)
        clear(handle)
      }) as typeof clearTimeout
    }),
    () => effect(timers),
    () =>
      Effect.sync(() => {
        globalThis.setTimeout = set
        globalThis.clearTimeout = clear
      })
  )
}

interface Timers {
  readonly set: Array<ReturnType<typeof setTimeout>>
  readonly cleared: Array<ReturnType<typeof setTimeout>>
}

describe("the wait before a retry", () => {
  it.live("on the live clock: one timer of the call's, cleared when the call is interrupted while it waits", () =>
    watchingTimers(MINUTE, (timers) =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(Mem.json(503, { error: "unavailable" })), { instant: true })
        const fiber = yield* Effect.fork(request(mem))
        for (let i = 0; i < 500 && timers.set.length === 0; i++) yield* Effect.sleep("2 millis")
        expect(mem.requests.length).toBe(1)
        expect(timers.set.length).toBe(1)
        expect(timers.cleared.length).toBe(0)
        yield* Fiber.interrupt(fiber)
        const exit = yield* Fiber.await(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(timers.cleared).toEqual(timers.set)
        expect(mem.requests.length).toBe(1)
      })))

  it.live("on the live clock: the retry is sent when the timer fires", () =>
    Effect.gen(function*() {
      const mem = Mem.make(
        Mem.sequence(Mem.json(503, { error: "unavailable" }), { status: 200, body: "ok" }),
        { instant: true }
      )
      const text = yield* withClient(
        mem,
        { retry: { retries: 1, backoff: { base: "1 millis", jitter: "none" } } },
        (client) => client.text(HttpClientRequest.get("http://mem.test/"))
      )
      expect(text).toBe("ok")
      expect(mem.requests.length).toBe(2)
    }))

  it.effect("on a TestClock: the clock's sleep, no timer of its own", () =>
    watchingTimers(MINUTE, (timers) =>
      Effect.gen(function*() {
        const mem = Mem.make(
          Mem.sequence(Mem.json(503, { error: "unavailable" }), { status: 200, body: "ok" }),
          { instant: true }
        )
        const fiber = yield* Effect.fork(request(mem))
        yield* TestClock.adjust("59 seconds")
        expect(mem.requests.length).toBe(1)
        yield* TestClock.adjust("1 second")
        expect(yield* Fiber.join(fiber)).toBe("ok")
        expect(mem.requests.length).toBe(2)
        expect(timers.set.length).toBe(0)
      })))
})
