/**
 * Building and combining schedules on the Effect 4 line, for the few places
 * where the two lines' `Schedule` APIs differ: Effect 4 builds a schedule
 * from a step function (`fromStep`, no `makeWithState`, no
 * `ScheduleDecision`) and combines with `max` / `min` (no `intersect` /
 * `union`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"

/**
 * A schedule that never stops: each step takes the state to the next one and
 * says the output and how long to wait (ms) before the next recurrence. Each
 * run of the schedule starts again from `initial`.
 *
 * @internal
 */
export const unfoldDelays = <S, Out>(
  initial: S,
  next: (state: S) => Effect.Effect<readonly [S, Out, number]>
): Schedule.Schedule<Out> =>
  Schedule.fromStep(Effect.sync(() => {
    let state = initial
    return (_now: number, _input: unknown) =>
      Effect.map(next(state), ([after, out, ms]): [Out, Duration.Duration] => {
        state = after
        return [out, Duration.millis(ms)]
      })
  }))

/**
 * Recurs while both schedules recur, waiting the longer of their delays.
 *
 * @internal
 */
export const both = <In, In2>(
  self: Schedule.Schedule<unknown, In>,
  that: Schedule.Schedule<unknown, In2>
): Schedule.Schedule<unknown, In & In2> => Schedule.max([self, that]) as Schedule.Schedule<unknown, any>

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
 * run once, at time `now` (ms) with `input`, keeping the run's state
 * (Effect 4: `Schedule.toStep`, whose step fails with `Cause.Done` when the
 * schedule is done).
 *
 * @internal
 */
export const stepper = <Out, In, R>(
  schedule: Schedule.Schedule<Out, In, never, R>
): Effect.Effect<(now: number, input: In) => Effect.Effect<Step<Out> | undefined, never, R>, never, R> =>
  Effect.map(Schedule.toStep(schedule), (step) => (now: number, input: In) =>
    step(now, input).pipe(
      Effect.map(([out, delay]): Step<Out> | undefined => ({ out, delayMs: Math.max(0, Duration.toMillis(delay)) })),
      Pull.catchDone(() => Effect.succeed(undefined))
    ))

/**
 * Recurs while either schedule recurs, waiting the shorter of their delays.
 *
 * @internal
 */
export const either = <In, In2>(
  self: Schedule.Schedule<unknown, In>,
  that: Schedule.Schedule<unknown, In2>
): Schedule.Schedule<unknown, In & In2> => Schedule.min([self, that]) as Schedule.Schedule<unknown, any>

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

type StepFn<In, R> = (now: number, input: In) => Pull.Pull<[unknown, Duration.Duration], unknown, unknown, R>

/**
 * Steps the run of `schedule` kept in `run` once, at time `now` (ms) with
 * `input`: the delay (ms) before the next recurrence, or `undefined` when the
 * schedule is done (Effect 4: the run's state is the step function
 * `Schedule.toStep` gives).
 *
 * @internal
 */
export const stepDelay = <In, R>(
  schedule: Schedule.Schedule<unknown, In, never, R>,
  run: RunState,
  now: number,
  input: In
): Effect.Effect<number | undefined, never, R> => {
  const start: Effect.Effect<StepFn<In, R>, never, R> = run.scheduleStepped
    ? Effect.succeed(run.scheduleState as StepFn<In, R>)
    : Effect.map(Schedule.toStep(schedule), (step) => {
      run.scheduleState = step
      run.scheduleStepped = true
      return step as StepFn<In, R>
    })
  return Effect.flatMap(start, (step) =>
    step(now, input).pipe(
      Effect.map(([, delay]): number | undefined => Math.max(0, Duration.toMillis(delay))),
      Pull.catchDone(() => Effect.succeed(undefined))
    ) as Effect.Effect<number | undefined, never, R>)
}
