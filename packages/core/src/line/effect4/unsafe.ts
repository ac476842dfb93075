/**
 * The synchronous ("unsafe") calls the hot path makes outside an Effect, on
 * the Effect 4 line (`xxxUnsafe` names; Effect 3 spells them `unsafeXxx`).
 * See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"

import type * as MetricLabel from "./MetricLabel.js"

/** A new, not yet completed `Deferred`. @internal */
export const makeDeferred = <A, E = never>(): Deferred.Deferred<A, E> => Deferred.makeUnsafe<A, E>()

/** Completes `self` with `exit` now (no-op if already completed). @internal */
export const completeDeferred = <A, E>(self: Deferred.Deferred<A, E>, exit: Exit.Exit<A, E>): void => {
  Deferred.doneUnsafe(self, exit)
}

/** The clock's time in ms, read now. @internal */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()

const liveClock: object | null = Object.getPrototypeOf(Clock.Clock.defaultValue())

/**
 * Whether `clock` is Effect's own clock (`setTimeout` and the system time),
 * not a `TestClock` or another clock of the user's. @internal
 */
export const isLiveClock = (clock: Clock.Clock): boolean => Object.getPrototypeOf(clock) === liveClock

/** The clock's time in ns, read now. @internal */
export const currentTimeNanos = (clock: Clock.Clock): bigint => clock.currentTimeNanosUnsafe()

// A label set's context is built once: the shared source keeps its label
// arrays (one per distinct set), so this costs one lookup per update.
const contexts = new WeakMap<ReadonlyArray<MetricLabel.MetricLabel>, Context.Context<never>>()

const contextOf = (labels: ReadonlyArray<MetricLabel.MetricLabel>): Context.Context<never> => {
  let context = contexts.get(labels)
  if (context === undefined) {
    const attributes: Record<string, string> = {}
    for (const label of labels) attributes[label.key] = label.value
    context = Context.make(Metric.CurrentMetricAttributes, attributes) as Context.Context<never>
    contexts.set(labels, context)
  }
  return context
}

/** Updates `metric` with `input` now, under `labels`. @internal */
export const updateMetric = <In>(
  metric: Metric.Metric<In, unknown>,
  input: In,
  labels: ReadonlyArray<MetricLabel.MetricLabel>
): void => {
  metric.updateUnsafe(input, contextOf(labels))
}

/** Interrupts `fiber` without waiting for it. @internal */
export const interruptFiber = <A, E>(fiber: Fiber.Fiber<A, E>): void => {
  fiber.interruptUnsafe()
}

/**
 * Runs `f` now. Effect 4's `TestClock.adjust` moves the clock without giving
 * the event loop a turn, so work put off to a microtask would see a due time
 * already past, after the clock's own sleeps (a latency, the deadline) had
 * fired first. The Effect 3 line defers `f` to a microtask. @internal
 */
export const afterCurrentRun = (f: () => void): void => {
  f()
}

/**
 * The current fiber's way to start an effect from outside Effect (a timer's
 * callback, say): each on a fiber of its own, with this fiber's services.
 *
 * @internal
 */
export const forkFromOutside: Effect.Effect<<A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>> = Effect.map(
  Effect.context<never>(),
  (context) => (effect) => Effect.runForkWith(context)(effect)
)
