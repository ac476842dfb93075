/**
 * `effect/Fiber` for the Effect 4 line, with `RuntimeFiber` in its Effect 3
 * spelling (Effect 4 has one `Fiber` type). See docs/design.md, "Two Effect
 * lines".
 *
 * @internal
 */
import type * as Fiber from "effect/Fiber"

export * from "effect/Fiber"

/** @internal */
export type RuntimeFiber<A, E = never> = Fiber.Fiber<A, E>
