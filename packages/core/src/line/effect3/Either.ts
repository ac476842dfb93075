/**
 * `effect/Either` for the Effect 3 line: the shared source is written in this
 * spelling, so this line's seam is the module itself, plus `toEffect` (see
 * docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"

export * from "effect/Either"

/** `self` as an effect (on Effect 3 an `Either` is one). @internal */
export const toEffect = <R, L>(self: Either.Either<R, L>): Effect.Effect<R, L> => self
