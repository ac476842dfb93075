/**
 * Exponential backoff as a pure function, and the schedules built from it.
 *
 * `Retry.exponential` builds an Effect `Schedule` around {@link delay}, and
 * `Retry.policy` (without a `schedule` of its own) bounds it with
 * `Schedule.recurs`. Stepping that intersected schedule runs Effect's
 * interval arithmetic on every retry; the client instead looks the schedule
 * up here and computes the same delay from the same single draw of Effect's
 * `Random`. Keyed by the schedule object itself, so a policy copied with
 * another `schedule` never takes this path.
 *
 * @internal
 */
import type * as Retry from "../Retry.js"

/** The settings of one exponential backoff, resolved to milliseconds. @internal */
export interface Settings {
  readonly baseMs: number
  readonly factor: number
  readonly capMs: number
  readonly jitter: Retry.Jitter
  /** The retries `Schedule.recurs` allows (`Infinity`: not bounded). */
  readonly retries: number
}

/**
 * The delay before retry number `n` (from 0), `previous` being the last
 * delay (the base before the first), `r` a draw from `[0, 1)` (unused
 * without jitter); rounded to whole milliseconds.
 *
 * @internal
 */
export const delay = (s: Settings, n: number, previous: number, r: number): number => {
  const raw = Math.min(s.capMs, s.baseMs * Math.pow(s.factor, n))
  let ms: number
  switch (s.jitter) {
    case "full":
      ms = r * raw
      break
    case "equal":
      ms = raw / 2 + r * (raw / 2)
      break
    case "decorrelated":
      ms = Math.min(s.capMs, s.baseMs + r * Math.max(0, previous * 3 - s.baseMs))
      break
    case "none":
      ms = raw
  }
  return Math.round(ms)
}

const known = new WeakMap<object, Settings>()

/**
 * Records that `schedule` is this backoff, bounded by `settings.retries`
 * (the `Schedule.recurs` it was intersected with).
 *
 * @internal
 */
export const register = (schedule: object, settings: Settings): void => {
  known.set(schedule, settings)
}

/** The backoff `schedule` is, when it is one of {@link register}'s. @internal */
export const settingsOf = (schedule: object): Settings | undefined => known.get(schedule)

/**
 * One step of a registered schedule: after `steps` steps and the delay
 * `previous` (`undefined`: none yet), with the draw `r`, the delay in
 * milliseconds, or `"done"` when the retry bound stops it — what stepping
 * the `Schedule` answers.
 *
 * @internal
 */
export const step = (s: Settings, steps: number, previous: number | undefined, r: number): number | "done" =>
  steps >= s.retries ? "done" : delay(s, steps, previous ?? s.baseMs, r)
