/**
 * `Either` on the Effect 4 line, which names it `Result` (`succeed` for
 * `right`, `fail` for `left`; the success type comes first in both). Only
 * the names the shared source uses. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Result from "effect/Result"

/** @internal */
export type Either<R, L = never> = Result.Result<R, L>

/** @internal */
export const right: <R>(value: R) => Either<R> = Result.succeed

/** @internal */
export const left: <L>(error: L) => Either<never, L> = Result.fail

/** @internal */
export const isLeft: <R, L>(self: Either<R, L>) => self is Result.Failure<R, L> = Result.isFailure

/** @internal */
export const isRight: <R, L>(self: Either<R, L>) => self is Result.Success<R, L> = Result.isSuccess
