/**
 * `effect/Fiber` for the Effect 4 line, with `RuntimeFiber` and `poll` in
 * their Effect 3 spelling (Effect 4 has one `Fiber` type, and `pollUnsafe`). See docs/design.md, "Two Effect
 * lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"

export * from "effect/Fiber"

/** @internal */
export type RuntimeFiber<A, E = never> = Fiber.Fiber<A, E>

/** The fiber's exit, when it is done. @internal */
export const poll = <A, E>(self: Fiber.Fiber<A, E>): Effect.Effect<Option.Option<Exit.Exit<A, E>>> =>
  Effect.sync(() => {
    const exit = self.pollUnsafe()
    return exit === undefined ? Option.none() : Option.some(exit)
  })
