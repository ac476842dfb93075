/**
 * The wait before a retry (`call.ts` decides it, and its `finish` clears
 * the timer of a call that ends while it waits).
 *
 * @internal
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import { isLiveClock } from "#line/unsafe"
import type { Call } from "./callState.js"

/** The longest wait `setTimeout` takes (Effect's clock sleeps forever beyond it). */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The wait before a retry. On Effect's own clock: one timer of the call's,
 * which `finish` clears when the call ends first (interrupted while it
 * waits), so the wait needs no interruption handler of its own (Effect's
 * `sleep` wraps its timer in one: an uninterruptible region and a handler
 * frame per wait). On any other clock (`TestClock`, a virtual one), that
 * clock's `sleep`.
 *
 * @internal
 */
export const waitFor = (call: Call, ms: number): Effect.Effect<void> => {
  const clock = call.cfg.clock
  if (!isLiveClock(clock) || !(ms <= MAX_TIMER_MS)) return clock.sleep(Duration.millis(ms))
  return Effect.async<void>((resume) => {
    call.waitTimer = setTimeout(() => {
      call.waitTimer = undefined
      resume(Effect.void)
    }, ms)
  })
}
