/**
 * Seeding Effect's random service on the Effect 4 line (Effect 4:
 * `Random.withSeed`; see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Random from "effect/Random"

/**
 * Runs `self` with Effect's `Random` seeded by `seed`, so its draws repeat.
 *
 * @internal
 */
export const withSeed = (seed: number) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Random.withSeed(self, seed)

/** What a draw reads of the fiber it runs on (as `Effect.withFiberRuntime` hands it over). @internal */
export interface DrawFiber {
  readonly getFiberRef: <X>(ref: Context.Reference<X>) => X
}

/**
 * `then` of one draw in `[0, 1)` of `fiber`'s `Random` service (what
 * `Random.next` draws), `fiber` being the fiber this runs on: Effect 4's
 * service draws synchronously, so no step at all.
 *
 * @internal
 */
export const nextThen = <A, E, R>(
  fiber: DrawFiber,
  then: (r: number) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => then(fiber.getFiberRef(Random.Random).nextDoubleUnsafe())
