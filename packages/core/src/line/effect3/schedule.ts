/**
 * Building and combining schedules on the Effect 3 line, for the few places
 * where the two lines' `Schedule` APIs differ (see docs/design.md, "Two
 * Effect lines").
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import * as ScheduleIntervals from "effect/ScheduleIntervals"

/**
 * A schedule that never stops: each step takes the state to the next one and
 * says the output and how long to wait (ms) before the next recurrence.
 *
 * @internal
 */
export const unfoldDelays = <S, Out>(
  initial: S,
  next: (state: S) => Effect.Effect<readonly [S, Out, number]>
): Schedule.Schedule<Out> =>
  Schedule.makeWithState<S, unknown, Out>(
    initial,
    (now, _input, state) =>
      Effect.map(next(state), ([after, out, ms]) =>
        [after, out, ScheduleDecision.continueWith(ScheduleInterval.after(now + ms))] as const)
  )

/**
 * Recurs while both schedules recur, waiting the longer of their delays.
 *
 * @internal
 */
export const both = <In, In2>(
  self: Schedule.Schedule<unknown, In>,
  that: Schedule.Schedule<unknown, In2>
): Schedule.Schedule<unknown, In & In2> => Schedule.intersect(self, that)

/**
 * One step of a run of a schedule: what it outputs and how long to wait (ms)
 * before the next recurrence, or `undefined` when it is done.
 *
 * @internal
 */
export interface Step<Out> {
  readonly out: Out
  readonly delayMs: number
}

/**
 * Starts a run of `schedule`: each call of the function it gives steps the
 * run once, at time `now` (ms) with `input`, keeping the run's state.
 *
 * @internal
 */
export const stepper = <Out, In, R>(
  schedule: Schedule.Schedule<Out, In, R>
): Effect.Effect<(now: number, input: In) => Effect.Effect<Step<Out> | undefined, never, R>, never, R> =>
  Effect.sync(() => {
    let state = schedule.initial
    return (now, input) =>
      Effect.map(schedule.step(now, input, state), ([next, out, decision]) => {
        state = next
        return ScheduleDecision.isDone(decision)
          ? undefined
          : { out, delayMs: Math.max(0, ScheduleIntervals.start(decision.intervals) - now) }
      })
  })

/**
 * Recurs while either schedule recurs, waiting the shorter of their delays.
 *
 * @internal
 */
export const either = <In, In2>(
  self: Schedule.Schedule<unknown, In>,
  that: Schedule.Schedule<unknown, In2>
): Schedule.Schedule<unknown, In & In2> => Schedule.union(self, that)

/**
 * Where a run of a schedule keeps its state between steps (the caller's
 * record, e.g. one request's call): `scheduleStepped` is false until the
 * first step.
 *
 * @internal
 */
export interface RunState {
  scheduleState: unknown
  scheduleStepped: boolean
}

/**
 * Steps the run of `schedule` kept in `run` once, at time `now` (ms) with
 * `input`: the delay (ms) before the next recurrence, or `undefined` when the
 * schedule is done.
 *
 * @internal
 */
export const stepDelay = <In, R>(
  schedule: Schedule.Schedule<unknown, In, R>,
  run: RunState,
  now: number,
  input: In
): Effect.Effect<number | undefined, never, R> =>
  Effect.map(
    schedule.step(now, input, run.scheduleStepped ? run.scheduleState : schedule.initial),
    ([next, , decision]) => {
      run.scheduleState = next
      run.scheduleStepped = true
      return ScheduleDecision.isDone(decision)
        ? undefined
        : Math.max(0, ScheduleIntervals.start(decision.intervals) - now)
    }
  )
