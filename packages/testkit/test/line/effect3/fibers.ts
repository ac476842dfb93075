/**
 * Fibers as the test files look at them on the Effect 3 line (see
 * docs/design.md, "Two Effect lines"): a fiber's exit if it has one, without
 * waiting, a count of the fibers an effect forks (a `Supervisor`), and a yield. Same
 * names and signatures as `../effect4/fibers.ts`.
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Supervisor from "effect/Supervisor"

/** The fiber's exit if it is done, `undefined` while it runs or waits. */
export const exitNow = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): Exit.Exit<A, E> | undefined =>
  fiber.unsafePoll() ?? undefined

/** How many fibers were started under {@link countForks}. */
export interface ForkCount {
  forks: number
}

class Counting extends Supervisor.AbstractSupervisor<void> {
  constructor(readonly count: ForkCount) {
    super()
  }
  get value() {
    return Effect.void
  }
  override onStart() {
    this.count.forks++
  }
}

/** Runs `self` counting each fiber started under it in `count.forks`. */
export const countForks = (count: ForkCount) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.supervised(self, new Counting(count))

/** Lets the other fibers run once (`Effect.yieldNow()`). */
export const yieldOnce: Effect.Effect<void> = Effect.yieldNow()
