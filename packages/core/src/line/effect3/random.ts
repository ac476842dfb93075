/**
 * Seeding Effect's random service on the Effect 3 line (see docs/design.md,
 * "Two Effect lines").
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"

/**
 * Runs `self` with Effect's `Random` seeded by `seed`, so its draws repeat.
 *
 * @internal
 */
export const withSeed = (seed: number) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withRandom(self, Random.make(seed))

/** What a draw reads of the fiber it runs on (as `Effect.withFiberRuntime` hands it over). @internal */
export interface DrawFiber {
  readonly currentDefaultServices: Context.Context<DefaultServices.DefaultServices>
}

/**
 * `then` of one draw in `[0, 1)` of `fiber`'s `Random` service (what
 * `Random.next` draws), `fiber` being the fiber this runs on: the service's
 * own `next` and `then`, without `Random.next`'s step to read the fiber.
 *
 * @internal
 */
export const nextThen = <A, E, R>(
  fiber: DrawFiber,
  then: (r: number) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.flatMap(Context.get(fiber.currentDefaultServices, Random.Random).next, then)
