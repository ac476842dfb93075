/**
 * A failure's defects as the test files read them on the Effect 3 line (see
 * docs/design.md, "Two Effect lines"). Same names and signatures as
 * `../effect4/causes.ts`.
 */
import * as Cause from "effect/Cause"
import type * as Option from "effect/Option"

/** Whether the cause holds a defect. */
export const hasDefect = <E>(cause: Cause.Cause<E>): boolean => Cause.isDie(cause)

/** The cause's first defect, if any. */
export const defectOption = <E>(cause: Cause.Cause<E>): Option.Option<unknown> => Cause.dieOption(cause)
