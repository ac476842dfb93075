/**
 * A failure's defects as the test files read them on the Effect 4 line (see
 * docs/design.md, "Two Effect lines"): `hasDies` and `findDefect`. Same names
 * and signatures as `../effect3/causes.ts`.
 */
import * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/** Whether the cause holds a defect. */
export const hasDefect = <E>(cause: Cause.Cause<E>): boolean => Cause.hasDies(cause)

/** The cause's first defect, if any. */
export const defectOption = <E>(cause: Cause.Cause<E>): Option.Option<unknown> => {
  const found = Cause.findDefect(cause)
  return Result.isSuccess(found) ? Option.some(found.success) : Option.none()
}
