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

/** `cause` rendered; the Effect 3 options (`renderErrorCause`) are Effect 4's only way. @internal */
export const pretty = <E>(
  cause: Cause.Cause<E>,
  _options?: { readonly renderErrorCause?: boolean | undefined }
): string => Cause.pretty(cause)
