// The Effect 4 TestClock seam (packages/core/src/line/effect4/TestClock.ts):
// `adjust` settles the test's fibers before moving the clock until none of
// their tasks is queued, however many turns that takes, and says so when
// they never stop.
import { describe, it } from "@effect/vitest"
import { assertTrue, strictEqual } from "@effect/vitest/utils"
import * as TestClock from "@steadfast/core/line/TestClock"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"

describe("the Effect 4 TestClock seam", () => {
  it.effect("adjust lets a fiber thousands of turns from its sleep reach it before the clock moves", () =>
    Effect.gen(function*() {
      // 5,000 yields, then a 1 second sleep: the sleep must start at 0 and end at 1000
      const fiber = yield* Effect.forkChild(
        Effect.gen(function*() {
          for (let i = 0; i < 5_000; i++) yield* Effect.yieldNow
          yield* Effect.sleep("1 second")
          return yield* Clock.currentTimeMillis
        })
      )
      yield* TestClock.adjust("1 second")
      strictEqual(fiber.pollUnsafe() !== undefined, true)
      strictEqual(yield* Fiber.join(fiber), 1000)
    }))

  it.effect("adjust fails with NotSettled when a fiber never waits", () =>
    Effect.gen(function*() {
      const busy = yield* Effect.forkChild(Effect.forever(Effect.yieldNow))
      const exit = yield* Effect.exit(TestClock.adjust("1 second"))
      yield* Fiber.interrupt(busy)
      assertTrue(Exit.isFailure(exit))
      const defect = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Die") : undefined
      assertTrue(defect !== undefined && defect._tag === "Die" && defect.defect instanceof TestClock.NotSettled)
      strictEqual(yield* Clock.currentTimeMillis, 0)
    }), 30_000)
})
