/**
 * `effect/Effect` for the Effect 4 line, with the names the shared source
 * uses in their Effect 3 spelling: `fork` (Effect 4: `forkChild`) and `clock`
 * (Effect 4: `clockWith`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"

export * from "effect/Effect"

/** Runs `self` in a child fiber of the current one. @internal */
export const fork = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Fiber.Fiber<A, E>, never, R> =>
  Effect.forkChild(self)

/** The current clock. @internal */
export const clock: Effect.Effect<Clock.Clock> = Effect.clockWith(Effect.succeed)
