/**
 * The client's direct computation of the default backoff (internal/backoff.ts)
 * against stepping the `Schedule` that `Retry.policy` builds: the same delays,
 * the same "done", from the same draws of a seeded `Random`.
 */
import * as Effect from "#line/Effect"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Retry } from "@steadfast/core"
import { FastCheck as fc, Random, Schedule, ScheduleDecision, ScheduleIntervals } from "effect"
import * as backoff from "../src/internal/backoff.js"

type Answer = number | "done"

/** Steps `schedule` `n` times, each at the end of the previous delay. */
const bySchedule = (schedule: Schedule.Schedule<unknown, never>, n: number): Effect.Effect<Array<Answer>> =>
  Effect.gen(function*() {
    let state = schedule.initial
    let now = 5_000
    const out: Array<Answer> = []
    for (let i = 0; i < n; i++) {
      const [next, , decision] = yield* schedule.step(now, undefined as never, state)
      state = next
      if (ScheduleDecision.isDone(decision)) {
        out.push("done")
        break
      }
      const delay = ScheduleIntervals.start(decision.intervals) - now
      out.push(delay)
      now += delay
    }
    return out
  })

/** The same steps through `backoff.step`, one draw of `Random` per step as the schedule makes. */
const byFunction = (settings: backoff.Settings, n: number): Effect.Effect<Array<Answer>> =>
  Effect.gen(function*() {
    const out: Array<Answer> = []
    let previous: number | undefined
    for (let i = 0; i < n; i++) {
      const r = settings.jitter === "none" ? 0 : yield* Random.next
      const answer = backoff.step(settings, i, previous, r)
      out.push(answer)
      if (answer === "done") break
      previous = answer
    }
    return out
  })

const options = fc.record({
  retries: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constant(Infinity)),
  base: fc.integer({ min: 0, max: 5_000 }),
  factor: fc.double({ min: 1, max: 4, noNaN: true }),
  cap: fc.integer({ min: 0, max: 60_000 }),
  jitter: fc.constantFrom<Retry.Jitter>("full", "equal", "decorrelated", "none"),
  seed: fc.integer()
})

describe("internal/backoff", () => {
  it.prop(
    "gives what stepping the policy's schedule gives, delay by delay, until done",
    [options],
    ([o]) => {
      const policy = Retry.policy({
        retries: o.retries,
        backoff: { base: o.base, factor: o.factor, cap: o.cap, jitter: o.jitter }
      })
      const settings = backoff.settingsOf(policy.schedule)
      deepStrictEqual(settings?.retries, o.retries)
      const steps = 12
      const expected = Effect.runSync(Effect.withRandom(bySchedule(policy.schedule, steps), Random.make(o.seed)))
      const actual = Effect.runSync(Effect.withRandom(byFunction(settings!, steps), Random.make(o.seed)))
      deepStrictEqual(actual, expected)
    },
    { fastCheck: { seed: 20261206, numRuns: 500 } }
  )

  it("only the schedules Retry.policy builds from its backoff are known", () => {
    strictEqual(backoff.settingsOf(Retry.policy({ schedule: Schedule.spaced("1 second") }).schedule), undefined)
    strictEqual(backoff.settingsOf(Retry.exponential()), undefined)
    // a copy of a policy with its own schedule keeps that schedule's steps
    strictEqual(backoff.settingsOf({ ...Retry.defaults, schedule: Schedule.spaced("1 second") }.schedule), undefined)
    deepStrictEqual(backoff.settingsOf(Retry.defaults.schedule), {
      baseMs: 100,
      factor: 2,
      capMs: 10_000,
      jitter: "full",
      retries: 3
    })
  })
})
