/**
 * `effect/Cause` for the Effect 4 line, with the names the shared source uses
 * in their Effect 3 spelling: `isInterrupted` / `isInterruptedOnly`
 * (Effect 4: `hasInterrupts` / `hasInterruptsOnly`), `failureOption`
 * (`findErrorOption`) and `sequential` (`combine`). See docs/design.md, "Two
 * Effect lines".
 *
 * @internal
 */
import * as Cause from "effect/Cause"

export * from "effect/Cause"

/** @internal */
export const isInterrupted: <E>(self: Cause.Cause<E>) => boolean = Cause.hasInterrupts

/** @internal */
export const isInterruptedOnly: <E>(self: Cause.Cause<E>) => boolean = Cause.hasInterruptsOnly

/** @internal */
export const failureOption: typeof Cause.findErrorOption = Cause.findErrorOption

/** @internal */
export const sequential = <E, E2>(self: Cause.Cause<E>, that: Cause.Cause<E2>): Cause.Cause<E | E2> =>
  Cause.combine(self, that)

/**
 * The failure of a cause that is one failure and nothing else (no defect,
 * no interruption, no second failure): the `Fail` reason itself, whose
 * `error` is what `Effect.catch` would hand to its handler; otherwise
 * `undefined`.
 *
 * @internal
 */
export const soleFailure = <E>(cause: Cause.Cause<E>): { readonly error: E } | undefined => {
  const reasons = cause.reasons
  const only = reasons.length === 1 ? reasons[0]! : undefined
  return only !== undefined && only._tag === "Fail" ? only : undefined
}

/** `cause` rendered; the Effect 3 options (`renderErrorCause`) are Effect 4's only way. @internal */
export const pretty = <E>(
  cause: Cause.Cause<E>,
  _options?: { readonly renderErrorCause?: boolean | undefined }
): string => Cause.pretty(cause)
