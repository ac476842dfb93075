/**
 * The simulated network's virtual time on the Effect 4 line (see
 * docs/design.md, "Two Effect lines"): none of its own. Effect 4's
 * `TestClock` already does what the Effect 3 line's virtual clock adds to
 * Effect 3's: after waking a sleeper it waits until the fibers it scheduled
 * have stopped by counting their queued tasks (no `setTimeout` round trips),
 * and it warns, after a second of real time, when a test sleeps without
 * adjusting it. So `SimulatedNetwork.layer` leaves the clock as it is.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { AttemptRecord } from "../../SimulatedNetwork.js"

/**
 * The layer that runs the simulated network's fibers in virtual time: none
 * on Effect 4 (its `TestClock` is the virtual time). Same signature as the
 * Effect 3 line's.
 *
 * @internal
 */
export const virtualTime = (_timeline: Effect.Effect<ReadonlyArray<AttemptRecord>>): Layer.Layer<never> => Layer.empty
