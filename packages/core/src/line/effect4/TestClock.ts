/**
 * `effect/TestClock` for the Effect 4 line, where it lives under
 * `effect/testing`, with `adjust` keeping Effect 3's contract: the fibers
 * the test started have run to their next wait before the clock moves, and
 * the fibers it wakes have run to their next wait when it returns.
 *
 * Effect 3's `adjust` polls until every fiber of the test is done or
 * suspended. Effect 4's yields once before moving the clock and then follows
 * only the work the woken sleeps schedule; a fiber several scheduler turns
 * away from its wait (a stream whose producer runs in a fiber of its own,
 * as `Stream.interruptWhen` does on Effect 4, a loop of requests) would
 * sleep after the clock moved past its deadline, or still be running when
 * `adjust` returns. So this `adjust` settles the test's fibers before and
 * after moving the clock: under {@link counting} (the Effect 4 suite runs
 * every `it.effect` test under it) it waits, a turn of the event loop at a
 * time, until no task of theirs is queued (the question Effect 3's answers
 * by polling), and fails with a {@link NotSettled} defect when they keep
 * running for {@link settleTurnsMax} turns; elsewhere it lets the scheduler
 * run {@link settleTurns} turns. No virtual time passes while settling. See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Scheduler from "effect/Scheduler"
import * as TestClock from "effect/testing/TestClock"

export * from "effect/testing/TestClock"

/**
 * The scheduler the test's fibers run on under {@link counting}: the one it
 * wraps, counting the tasks queued and not yet run by every fiber under it.
 *
 * @internal
 */
export class CountingScheduler implements Scheduler.Scheduler {
  /** Tasks queued and not yet run. */
  pending = 0
  readonly executionMode: "sync" | "async"
  constructor(readonly parent: Scheduler.Scheduler) {
    this.executionMode = parent.executionMode
  }
  shouldYield(fiber: Parameters<Scheduler.Scheduler["shouldYield"]>[0]): boolean {
    return this.parent.shouldYield(fiber)
  }
  makeDispatcher(): Scheduler.SchedulerDispatcher {
    const inner = this.parent.makeDispatcher()
    return {
      scheduleTask: (task, priority) => {
        this.pending++
        inner.scheduleTask(() => {
          this.pending--
          task()
        }, priority)
      },
      flush: () => inner.flush()
    }
  }
}

/** The counting scheduler of the fibers {@link settle} waits for (`undefined`: none). */
const Counter = Context.Reference<CountingScheduler | undefined>("@steadfast/core/TestClock/Counter", {
  defaultValue: () => undefined
})

/**
 * Runs `self` with its fibers on a {@link CountingScheduler}, so that
 * `adjust` settles them until none of their tasks is queued.
 *
 * @internal
 */
export const counting = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) => {
    const scheduler = new CountingScheduler(fiber.getRef(Scheduler.Scheduler))
    return self.pipe(Effect.provideService(Scheduler.Scheduler, scheduler), Effect.provideService(Counter, scheduler))
  })

/** How many scheduler turns `settle` gives the test's fibers when they are not under {@link counting}. @internal */
export const settleTurns = 16

/** How many turns of the event loop `settle` waits under {@link counting} before it gives up. @internal */
export const settleTurnsMax = 100_000

/**
 * The defect of an `adjust` whose fibers never settled: some fiber kept
 * running without waiting (a busy loop, a repeat without a sleep).
 *
 * @internal
 */
export class NotSettled extends Error {
  constructor(readonly pending: number) {
    super(
      `TestClock.adjust: the test's fibers were still running after ${settleTurnsMax} turns of the event loop ` +
        `(${pending} task(s) queued), so the clock was not moved. A fiber that never waits (a busy loop, ` +
        `a repeat without a sleep) keeps the test clock from settling.`
    )
    this.name = "NotSettled"
  }
}

const fixedTurns: Effect.Effect<void> = Effect.suspend(() => {
  let turns = 0
  return Effect.whileLoop({
    while: () => turns++ < settleTurns,
    body: () => Effect.yieldNow,
    step: () => {}
  })
})

/**
 * Lets the test's fibers run until they wait (under {@link counting}: until
 * none of their tasks is queued after a turn of the event loop; otherwise
 * `settleTurns` scheduler turns). The clock does not move.
 *
 * @internal
 */
export const settle: Effect.Effect<void> = Effect.withFiber((fiber) => {
  const counter = fiber.getRef(Counter)
  if (counter === undefined) return fixedTurns
  return Effect.callback<void>((resume) => {
    let turns = 0
    let timer: ReturnType<typeof setImmediate> | undefined
    const check = () => {
      timer = undefined
      if (counter.pending === 0) return resume(Effect.void)
      if (++turns >= settleTurnsMax) return resume(Effect.die(new NotSettled(counter.pending)))
      timer = setImmediate(check)
    }
    timer = setImmediate(check)
    return Effect.sync(() => {
      if (timer !== undefined) clearImmediate(timer)
    })
  })
})

/** Moves the test clock by `duration` with the fibers settled before and after. @internal */
export const adjust = (duration: Duration.Input): Effect.Effect<void> =>
  Effect.andThen(settle, Effect.andThen(TestClock.adjust(duration), settle))
