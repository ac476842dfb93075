/**
 * `effect/Scope` for the Effect 4 line, with `extend` in its Effect 3
 * spelling (Effect 4: `provide`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"

export * from "effect/Scope"

/** Runs `self` in `scope`: its finalizers run when `scope` closes. @internal */
export const extend = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  scope: Scope.Scope
): Effect.Effect<A, E, Exclude<R, Scope.Scope>> => Scope.provide(self, scope)
