/**
 * Fibers as the test files look at them on the Effect 4 line (see
 * docs/design.md, "Two Effect lines"): a fiber's exit if it has one, without
 * waiting, a count of the fibers an effect forks, and a yield. Effect 4 has no
 * `Supervisor`; every fiber tells the `FiberRuntimeMetrics` service of its
 * context when it starts, so the count is that service's. Same names and
 * signatures as `../effect3/fibers.ts`.
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"

/** The fiber's exit if it is done, `undefined` while it runs or waits. */
export const exitNow = <A, E>(fiber: Fiber.Fiber<A, E>): Exit.Exit<A, E> | undefined => fiber.pollUnsafe()

/** How many fibers were started under {@link countForks}. */
export interface ForkCount {
  forks: number
}

/** Runs `self` counting each fiber started under it in `count.forks`. */
export const countForks = (count: ForkCount) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(self, Metric.FiberRuntimeMetrics, {
    recordFiberStart: () => {
      count.forks++
    },
    recordFiberEnd: () => {}
  })

/** Lets the other fibers run once (`Effect.yieldNow`). */
export const yieldOnce: Effect.Effect<void> = Effect.yieldNow
