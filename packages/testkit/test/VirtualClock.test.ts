/**
 * The virtual clock SimulatedNetwork.layer installs under a TestClock: the
 * same semantics as Effect's TestClock (sleeps wake in order, each woken
 * fiber runs until it stops before time moves on), and a hint when a test is
 * interrupted while fibers wait for an adjustment that never came.
 */
import { pendingSleeps } from "#testline/clock"
import { exitNow, yieldOnce } from "#testline/fibers"
import { freshTestServices } from "#testline/testServices"
import { HttpClient } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as TestClock from "@steadfast/core/line/TestClock"
import { Clock, Fiber, Layer } from "effect"
import { vi } from "vitest"
import { Fault, Reply } from "../src/Fault.js"
import * as Scenario from "../src/Scenario.js"
import * as SimulatedNetwork from "../src/SimulatedNetwork.js"

const net = SimulatedNetwork.layer(Scenario.make({
  "GET /hang": Fault.hang(),
  "GET /ok": Scenario.sequence([Reply.json(200, {})], { after: "repeat-last" })
}))

describe("the virtual clock", () => {
  it.effect("TestClock.adjust, TestClock.sleeps and Clock all use it inside the layer", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(Effect.sleep("2 seconds"))
      yield* yieldOnce
      deepStrictEqual(yield* pendingSleeps, [start + 2000])
      yield* TestClock.adjust("1 second")
      strictEqual(exitNow(fiber), undefined)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      strictEqual((yield* Clock.currentTimeMillis) - start, 2000)
      yield* TestClock.setTime(start + 10_000)
      strictEqual(yield* Clock.currentTimeMillis, start + 10_000)
    }).pipe(Effect.provide(net)))

  it.effect("follows the outer TestClock when the layer is provided inside a fork and adjusted outside", () =>
    Effect.gen(function*() {
      // the pattern of docs/examples/from-requests-retry.ts: the program provides
      // the network itself; the test moves the TestClock it was given
      const program = Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const times: Array<number> = []
        for (const d of ["100 millis", "1 second", "3 seconds"] as const) {
          yield* Effect.sleep(d)
          times.push(yield* Clock.currentTimeMillis)
        }
        const response = yield* client.get("http://api.test/ok")
        return [times, response.status] as const
      }).pipe(Effect.provide(net))
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(program)
      // a partial adjust wakes only what is due
      yield* TestClock.adjust("500 millis")
      strictEqual(exitNow(fiber), undefined)
      yield* TestClock.adjust("1 minute")
      const [times, status] = yield* Fiber.join(fiber)
      deepStrictEqual(times.map((t) => t - start), [100, 1100, 4100])
      strictEqual(status, 200)
    }))

  it.effect("sleeps wake in order of their instant, then of their arrival", () =>
    Effect.gen(function*() {
      const woke: Array<string> = []
      const sleeper = (name: string, d: Duration.DurationInput) =>
        Effect.fork(Effect.zipRight(Effect.sleep(d), Effect.sync(() => woke.push(name))))
      const fibers = [
        yield* sleeper("c", "3 seconds"),
        yield* sleeper("a1", "1 second"),
        yield* sleeper("b", "2 seconds"),
        yield* sleeper("a2", "1 second")
      ]
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.joinAll(fibers)
      deepStrictEqual(woke, ["a1", "a2", "b", "c"])
    }).pipe(Effect.provide(net)))

  it.effect("a woken fiber runs until it stops before time moves on: chained sleeps all fit in one adjust", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const fiber = yield* Effect.fork(
        Effect.forEach(
          [100, 200, 300, 400],
          (ms) =>
            Effect.zipRight(
              Effect.sleep(Duration.millis(ms)),
              Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => times.push(t)))
            ),
          { discard: true }
        )
      )
      const start = yield* Clock.currentTimeMillis
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      deepStrictEqual(times.map((t) => t - start), [100, 300, 600, 1000])
    }).pipe(Effect.provide(net)))

  it.effect("a request that times out on the simulated network does so at its exact virtual instant", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        Effect.timeout(HttpClient.get("http://api.test/hang"), "750 millis").pipe(Effect.either)
      )
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      strictEqual(result._tag, "Left")
      const [attempt] = yield* (yield* SimulatedNetwork.SimulatedNetwork).attempts("GET /hang")
      strictEqual(attempt?.endedAt, 750)
    }).pipe(Effect.provide(net)))
})

describe("a test that forgot TestClock.adjust", () => {
  /** Runs `body` under TestContext and the network, interrupts it once it waits, and returns what was warned. */
  const interruptedWhileWaiting = (
    body: Effect.Effect<unknown, unknown, SimulatedNetwork.SimulatedNetwork | HttpClient.HttpClient>
  ) =>
    Effect.gen(function*() {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {})
      try {
        const fiber = Effect.runFork(
          body.pipe(Effect.provide(Layer.fresh(net)), Effect.provide(freshTestServices))
        )
        // the test waits on the virtual clock: the attempt is recorded and pending
        for (let i = 0; i < 100 && exitNow(fiber) === undefined; i++) {
          yield* Effect.promise(() => new Promise(setImmediate))
        }
        strictEqual(exitNow(fiber), undefined)
        yield* Fiber.interrupt(fiber) // what a test runner's timeout does
        return warn.mock.calls.map((args) => String(args[0]))
      } finally {
        warn.mockRestore()
      }
    })

  it.live("is told, when interrupted, that fibers wait for virtual time and what to do", () =>
    Effect.gen(function*() {
      const warned = yield* interruptedWhileWaiting(
        Effect.flatMap(HttpClient.HttpClient, (client) =>
          Effect.timeout(client.get("http://api.test/hang"), "30 seconds"))
      )
      strictEqual(warned.length, 1)
      assertInclude(warned[0], "TestClock.adjust was never called")
      assertInclude(warned[0], "the earliest until +30000 ms")
      assertInclude(warned[0], "fork the code under test, call TestClock.adjust")
      assertInclude(warned[0], "GET http://api.test/hang [NoResponse]")
    }))

  it.live("says the clock was not adjusted far enough when it was adjusted a little", () =>
    Effect.gen(function*() {
      const warned = yield* interruptedWhileWaiting(
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(Effect.sleep("1 minute"))
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(fiber)
        })
      )
      strictEqual(warned.length, 1)
      assertInclude(warned[0], "was not adjusted far enough")
    }))

  it.effect("a test that ends normally is told nothing", () =>
    Effect.gen(function*() {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {})
      yield* Effect.gen(function*() {
        yield* Effect.fork(Effect.sleep("1 hour")) // left waiting on purpose
        const fiber = yield* Effect.fork(HttpClient.get("http://api.test/ok"))
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
      }).pipe(Effect.provide(net))
      const calls = warn.mock.calls.length
      warn.mockRestore()
      assertTrue(calls === 0, `warned ${calls} time(s)`)
    }))
})
