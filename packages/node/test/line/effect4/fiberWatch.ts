/**
 * A test's count of the fibers an effect starts, on the Effect 4 line, which
 * has no `Supervisor`: its runtime tells the `Metric.FiberRuntimeMetrics`
 * service of each fiber's start and end, and a fiber inherits that service
 * from the fiber that started it (daemons included), so one provided around
 * the effect sees every fiber started under it. Same names as
 * `../effect3/fiberWatch.ts`. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"

/** @internal */
export interface FiberWatch {
  /** Runs `self` with every fiber started while it runs watched (and every fiber those start). */
  readonly watch: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** How many watched fibers have not ended yet. */
  readonly running: Effect.Effect<number>
}

/** A new watch, with no fiber watched yet. @internal */
export const makeFiberWatch: Effect.Effect<FiberWatch> = Effect.sync(() => {
  let running = 0
  const service: Metric.FiberRuntimeMetricsService = {
    recordFiberStart: () => {
      running++
    },
    recordFiberEnd: () => {
      running--
    }
  }
  return {
    watch: (self) => Effect.provideService(self, Metric.FiberRuntimeMetrics, service),
    running: Effect.sync(() => running)
  }
})
