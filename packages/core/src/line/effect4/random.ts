/**
 * Seeding Effect's random service on the Effect 4 line (Effect 4:
 * `Random.withSeed`; see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as Random from "effect/Random"

/**
 * Runs `self` with Effect's `Random` seeded by `seed`, so its draws repeat.
 *
 * @internal
 */
export const withSeed = (seed: number) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Random.withSeed(self, seed)
