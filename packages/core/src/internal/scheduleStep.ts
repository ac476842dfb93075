/**
 * The retry schedule's answer after a failure: its own state kept per
 * call, or the policy's exponential backoff computed directly.
 *
 * @internal
 */
import * as Effect from "#line/Effect"
import { nextThen } from "#line/random"
import { stepDelay } from "#line/schedule"
import * as Errors from "../Errors.js"
import * as backoff from "./backoff.js"
import { Call } from "./callState.js"
import { type ScheduleAnswer } from "./decide.js"

/**
 * Asks the retry schedule (its state is kept per call) how long to wait
 * after `error`, then goes on with `then` (one step: the policy's own
 * backoff without jitter answers at once, with jitter after one draw of
 * the fiber's `Random`, without stepping the `Schedule`: see
 * internal/backoff.ts).
 */
export const step = <A, E, R>(
  call: Call,
  error: Errors.HttpError,
  now: number,
  then: (answer: ScheduleAnswer) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const schedule = call.cfg.retry.schedule
  const settings = backoff.settingsOf(schedule)
  if (settings !== undefined) {
    return settings.jitter === "none"
      ? then(backoffAnswer(call, settings, 0))
      : nextThen(call.fiber, (r) => then(backoffAnswer(call, settings, r)))
  }
  return Effect.flatMap(
    stepDelay(schedule, call, now, error),
    (ms) => then(ms === undefined ? "done" : { delayMs: ms })
  )
}

/** The policy's own exponential backoff, stepped with the draw `r`: the delay the `Schedule` would give. */
const backoffAnswer = (call: Call, settings: backoff.Settings, r: number): ScheduleAnswer => {
  const [steps, previous] = call.scheduleStepped
    ? call.scheduleState as readonly [number, number | undefined]
    : [0, undefined]
  const ms = backoff.step(settings, steps, previous, r)
  call.scheduleState = [steps + 1, ms === "done" ? previous : ms]
  call.scheduleStepped = true
  return ms === "done" ? "done" : { delayMs: ms }
}
