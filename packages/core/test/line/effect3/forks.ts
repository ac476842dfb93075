/**
 * A test's count of the fibers an effect starts (and of those that ended):
 * Effect 3 through a `Supervisor`; Effect 4, which has none, through the
 * runtime's fiber start/end hook (`Metric.FiberRuntimeMetrics`). See
 * docs/design.md, "Two Effect lines".
 */
import * as Effect from "effect/Effect"
import * as Supervisor from "effect/Supervisor"

/** The fibers started under `countForks`, and how many of them ended. */
export interface ForkCount {
  started: number
  ended: number
}

class Counter extends Supervisor.AbstractSupervisor<number> {
  constructor(readonly count: ForkCount) {
    super()
  }
  get value() {
    return Effect.sync(() => this.count.started)
  }
  override onStart() {
    this.count.started++
  }
  override onEnd() {
    this.count.ended++
  }
}

/** Runs `self`, counting in `count` each fiber started under it (and each that ended). */
export const countForks = (count: ForkCount) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.supervised(self, new Counter(count))
