/**
 * `effect/Cause` for the Effect 3 line: the shared source is written in this
 * spelling, so this line's seam is the module itself (see docs/design.md,
 * "Two Effect lines").
 *
 * @internal
 */
import type * as Cause from "effect/Cause"

export * from "effect/Cause"

/**
 * The failure of a cause that is one failure and nothing else (no defect,
 * no interruption, no second failure): the `Fail` itself, whose `error` is
 * what `Effect.catchAll` would hand to its handler; otherwise `undefined`.
 * Found without `catchAll`'s walks over the cause (its failures and its
 * defects, each collected into a chunk).
 *
 * @internal
 */
export const soleFailure = <E>(cause: Cause.Cause<E>): { readonly error: E } | undefined =>
  cause._tag === "Fail" ? cause : undefined
