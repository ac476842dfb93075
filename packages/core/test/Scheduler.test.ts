/**
 * The deadline scheduler against a reference model: random entries,
 * schedules, reschedules and cancellations at random virtual times; every
 * entry must come due exactly when the model says, no sooner, no later, and
 * a cancelled one never. Under the TestClock: virtual time only.
 */
import * as Effect from "#line/Effect"
import * as Fiber from "#line/Fiber"
import * as FiberId from "#line/FiberId"
import * as TestClock from "#line/TestClock"
import { describe, expect, it } from "@effect/vitest"
import { type Clock, Runtime } from "effect"
import * as FC from "effect/FastCheck"
import { DeadlineScheduler, type Timed, TimerTypeId } from "../src/internal/scheduler.js"

type Op =
  | { readonly _tag: "schedule"; readonly at: number; readonly id: number; readonly after: number }
  | { readonly _tag: "cancel"; readonly at: number; readonly id: number }

const ENTRIES = 8

const arbOp: FC.Arbitrary<Op> = FC.oneof(
  FC.record({
    _tag: FC.constant("schedule" as const),
    at: FC.integer({ min: 0, max: 1000 }),
    id: FC.integer({ min: 0, max: ENTRIES - 1 }),
    after: FC.integer({ min: 1, max: 500 })
  }),
  FC.record({
    _tag: FC.constant("cancel" as const),
    at: FC.integer({ min: 0, max: 1000 }),
    id: FC.integer({ min: 0, max: ENTRIES - 1 })
  })
)

/** After it comes due, an entry asks to come due again `again` ms later, once (then leaves). */
const arbAgain = FC.array(FC.option(FC.integer({ min: 1, max: 300 }), { nil: undefined }), {
  minLength: ENTRIES,
  maxLength: ENTRIES
})

type Fired = ReadonlyArray<readonly [at: number, id: number]>

/**
 * The reference: a plain list of keys, scanned. An entry's key is the due
 * time it was given, or an earlier one; scheduling a queued entry for later
 * keeps its earlier key. A due entry fires at its key, and may come back.
 */
const model = (ops: ReadonlyArray<Op>, again: ReadonlyArray<number | undefined>): Fired => {
  const keys = new Map<number, number>()
  const repeated = new Set<number>()
  const fired: Array<readonly [number, number]> = []
  const fireUntil = (t: number) => {
    for (;;) {
      let next: [number, number] | undefined
      for (const [id, key] of keys) if (key <= t && (next === undefined || key < next[1])) next = [id, key]
      if (next === undefined) return
      const [id, key] = next
      keys.delete(id)
      fired.push([key, id])
      const more = again[id]
      if (more !== undefined && !repeated.has(id)) {
        repeated.add(id)
        keys.set(id, key + more)
      }
    }
  }
  for (const op of [...ops].sort((a, b) => a.at - b.at)) {
    fireUntil(op.at)
    if (op._tag === "cancel") keys.delete(op.id)
    else {
      const due = op.at + op.after
      const key = keys.get(op.id)
      keys.set(op.id, key === undefined ? due : Math.min(key, due))
    }
  }
  fireUntil(Infinity)
  return fired
}

const sorted = (fired: Fired) => [...fired].sort((a, b) => a[0] - b[0] || a[1] - b[1])

/**
 * The TestClock with a timer (see `TimerTypeId`): `wake` is called from a
 * fiber sleeping on the TestClock, which cancelling interrupts. What the
 * testkit's virtual clock offers natively, built here from the TestClock.
 */
const withTimer = Effect.gen(function*() {
  const clock = yield* Effect.clock
  const runtime = yield* Effect.runtime<never>()
  const timer = (ms: number, wake: () => void): () => void => {
    const fiber = Runtime.runFork(runtime)(Effect.andThen(Effect.sleep(ms), Effect.sync(wake)))
    return () => fiber.unsafeInterruptAsFork(FiberId.none)
  }
  return Object.assign(Object.create(clock) as Clock.Clock, { [TimerTypeId]: timer })
})

describe("DeadlineScheduler", () => {
  for (const timed of [false, true]) {
    it.effect.prop(
      `fires each entry exactly when a simple reference model says (${
        timed ? "on the clock's timer" : "sleeping on the clock"
      })`,
      { ops: FC.array(arbOp, { maxLength: 25 }), again: arbAgain },
      ({ again, ops }) =>
        Effect.gen(function*() {
          const clock = timed ? yield* withTimer : yield* Effect.clock
          const scheduler = new DeadlineScheduler(clock)
          const fired: Array<readonly [number, number]> = []
          const repeated = new Set<number>()
          const entries: Array<Timed> = Array.from({ length: ENTRIES }, (_, id) => ({
            heapIndex: -1,
            dueAt: Infinity,
            onDue: (now: number) => {
              fired.push([now, id])
              const more = again[id]
              if (more === undefined || repeated.has(id)) return Infinity
              repeated.add(id)
              return now + more
            }
          }))
          const loop = yield* Effect.fork(scheduler.run)
          let time = 0
          for (const op of [...ops].sort((a, b) => a.at - b.at)) {
            yield* TestClock.adjust(op.at - time)
            time = op.at
            if (op._tag === "cancel") scheduler.cancel(entries[op.id]!)
            else scheduler.schedule(entries[op.id]!, op.at + op.after)
          }
          yield* TestClock.adjust(5000)
          yield* Fiber.interrupt(loop)
          expect(sorted(fired)).toEqual(sorted(model(ops, again)))
          expect(scheduler.size).toBe(0)
        }),
      { fastCheck: { seed: 20261206, numRuns: 100 } }
    )
  }
})
