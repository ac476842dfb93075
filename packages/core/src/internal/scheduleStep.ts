/**
 * The retry schedule's answer after a failure: its own state kept per
 * call, or the policy's exponential backoff computed directly.
 *
 * @internal
 */
import * as Effect from "#line/Effect"
import { stepDelay } from "#line/schedule"
import * as Random from "effect/Random"
import * as Errors from "../Errors.js"
import { Call } from "./attempt.js"
import * as backoff from "./backoff.js"
import { type ScheduleAnswer } from "./decide.js"

/** Asks the retry schedule (its state is kept per call) how long to wait after `error`. */
export const step = (call: Call, error: Errors.HttpError, now: number): Effect.Effect<ScheduleAnswer> => {
  const schedule = call.cfg.retry.schedule
  const settings = backoff.settingsOf(schedule)
  if (settings !== undefined) return stepBackoff(call, settings)
  return Effect.map(
    stepDelay(schedule, call, now, error),
    (ms): ScheduleAnswer => ms === undefined ? "done" : { delayMs: ms }
  )
}

/**
 * `step` for the policy's own exponential backoff: the same delay from the
 * same draw of `Random`, without stepping the `Schedule` (see internal/backoff.ts).
 */
const stepBackoff = (call: Call, settings: backoff.Settings): Effect.Effect<ScheduleAnswer> => {
  const answer = (r: number): ScheduleAnswer => {
    const [steps, previous] = call.scheduleStepped
      ? call.scheduleState as readonly [number, number | undefined]
      : [0, undefined]
    const ms = backoff.step(settings, steps, previous, r)
    call.scheduleState = [steps + 1, ms === "done" ? previous : ms]
    call.scheduleStepped = true
    return ms === "done" ? "done" : { delayMs: ms }
  }
  return settings.jitter === "none" ? Effect.sync(() => answer(0)) : Effect.map(Random.next, answer)
}
