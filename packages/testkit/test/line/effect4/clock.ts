/**
 * The test clock's pending sleeps as the test files read them on the Effect
 * 4 line (see docs/design.md, "Two Effect lines"): Effect 4's `TestClock`
 * does not show them; the simulated network's watched clock
 * (src/line/effect4/virtualTime.ts) does. Same names and signatures as
 * `../effect3/clock.ts`.
 */
import * as Effect from "effect/Effect"

/** The instants at which the test clock's sleeps wait, earliest first. */
export const pendingSleeps: Effect.Effect<ReadonlyArray<number>> = Effect.clockWith((clock) => {
  const sleeps = (clock as { readonly sleeps?: Effect.Effect<ReadonlyArray<number>> }).sleeps
  return sleeps ??
    Effect.die(new Error("pendingSleeps: the clock keeps no sleeps (not SimulatedNetwork's under a TestClock)"))
})
