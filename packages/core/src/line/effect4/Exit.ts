/**
 * `effect/Exit` for the Effect 4 line, with `isInterrupted` in its Effect 3
 * spelling (Effect 4: `hasInterrupts`). See docs/design.md, "Two Effect
 * lines".
 *
 * @internal
 */
import * as Exit from "effect/Exit"

export * from "effect/Exit"

/** @internal */
export const isInterrupted: <A, E>(self: Exit.Exit<A, E>) => boolean = Exit.hasInterrupts
