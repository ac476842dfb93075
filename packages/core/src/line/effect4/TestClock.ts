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
 * as `Stream.interruptWhen` does on Effect 4) would sleep after the clock
 * moved past its deadline, or still be running when `adjust` returns. So
 * this `adjust` lets the scheduler run `settleTurns` turns before and after
 * moving the clock. No virtual time passes in those turns. See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/testing/TestClock"

export * from "effect/testing/TestClock"

/** How many scheduler turns `adjust` gives the test's fibers to reach their next wait. @internal */
export const settleTurns = 16

/** Lets the test's fibers run `settleTurns` scheduler turns; the clock does not move. @internal */
export const settle: Effect.Effect<void> = Effect.suspend(() => {
  let turns = 0
  return Effect.whileLoop({
    while: () => turns++ < settleTurns,
    body: () => Effect.yieldNow,
    step: () => {}
  })
})

/** Moves the test clock by `duration` with the fibers settled before and after. @internal */
export const adjust = (duration: Duration.Input): Effect.Effect<void> =>
  Effect.andThen(settle, Effect.andThen(TestClock.adjust(duration), settle))
