/**
 * The synchronous ("unsafe") calls the hot path makes outside an Effect, on
 * the Effect 3 line (`unsafeXxx` names; Effect 4 spells them `xxxUnsafe`).
 * See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as Metric from "effect/Metric"
import type * as MetricLabel from "effect/MetricLabel"
import * as Runtime from "effect/Runtime"

/** A new, not yet completed `Deferred`. @internal */
export const makeDeferred = <A, E = never>(): Deferred.Deferred<A, E> => Deferred.unsafeMake<A, E>(FiberId.none)

/** Completes `self` with `exit` now (no-op if already completed). @internal */
export const completeDeferred = <A, E>(self: Deferred.Deferred<A, E>, exit: Exit.Exit<A, E>): void => {
  Deferred.unsafeDone(self, exit)
}

/** The clock's time in ms, read now. @internal */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

const liveClock: object | null = Object.getPrototypeOf(Clock.make())

/**
 * Whether `clock` is Effect's own clock (`setTimeout` and the system time),
 * not a `TestClock` or another clock of the user's. @internal
 */
export const isLiveClock = (clock: Clock.Clock): boolean => Object.getPrototypeOf(clock) === liveClock

/** The clock's time in ns, read now. @internal */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/** Updates `metric` with `input` now, under `labels`. @internal */
export const updateMetric = <In>(
  metric: Metric.Metric<any, In, any>,
  input: In,
  labels: ReadonlyArray<MetricLabel.MetricLabel>
): void => {
  metric.unsafeUpdate(input, labels)
}

/** Interrupts `fiber` without waiting for it. @internal */
export const interruptFiber = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): void => {
  fiber.unsafeInterruptAsFork(FiberId.none)
}

/**
 * Runs `f` after the current run of fibers (a microtask). Safe under
 * Effect 3's `TestClock`: its `adjust` gives the event loop a turn before it
 * moves the clock, so `f` has run by then. @internal
 */
export const afterCurrentRun = (f: () => void): void => {
  queueMicrotask(f)
}

/**
 * The current fiber's way to start an effect from outside Effect (a timer's
 * callback, say): each on a fiber of its own, with this fiber's services.
 *
 * @internal
 */
export const forkFromOutside: Effect.Effect<<A, E>(effect: Effect.Effect<A, E>) => Fiber.RuntimeFiber<A, E>> = Effect
  .map(Effect.runtime<never>(), (runtime) => Runtime.runFork(runtime))
