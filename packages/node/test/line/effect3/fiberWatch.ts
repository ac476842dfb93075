/**
 * A test's count of the fibers an effect starts, on the Effect 3 line: a
 * `Supervisor.track` over the effect (fibers started by its fibers, daemons
 * included, are counted too). Same names as `../effect4/fiberWatch.ts`.
 * See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Supervisor from "effect/Supervisor"

/** @internal */
export interface FiberWatch {
  /** Runs `self` with every fiber started while it runs watched (and every fiber those start). */
  readonly watch: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** How many watched fibers have not ended yet. */
  readonly running: Effect.Effect<number>
}

/** A new watch, with no fiber watched yet. @internal */
export const makeFiberWatch: Effect.Effect<FiberWatch> = Effect.map(Supervisor.track, (supervisor) => ({
  watch: (self) => Effect.supervised(self, supervisor),
  running: Effect.map(supervisor.value, (fibers) => fibers.length)
}))
