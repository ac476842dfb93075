/**
 * `effect/TestClock` for the Effect 4 line, where it lives under
 * `effect/testing`. `adjust` yields once more after moving the clock: on
 * Effect 3 the fibers it wakes have run to their next wait when it returns;
 * on Effect 4 a fiber woken by the clock that then completes a fiber waiting
 * on it (a forked body read, say) needs one more turn of the scheduler. No
 * virtual time passes in that turn. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/testing/TestClock"

export * from "effect/testing/TestClock"

/** Moves the test clock by `duration`, then lets the fibers it woke settle. @internal */
export const adjust = (duration: Duration.Input): Effect.Effect<void> =>
  Effect.andThen(TestClock.adjust(duration), Effect.yieldNow)
