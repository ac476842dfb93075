/**
 * The test clock's pending sleeps as the test files read them on the Effect
 * 3 line (see docs/design.md, "Two Effect lines"): `TestClock.sleeps`. Same
 * names and signatures as `../effect4/clock.ts`.
 */
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"

/** The instants at which the test clock's sleeps wait, earliest first. */
export const pendingSleeps: Effect.Effect<ReadonlyArray<number>> = Effect.map(TestClock.sleeps(), (s) => Array.from(s))
