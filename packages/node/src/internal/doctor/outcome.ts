/**
 * What a doctor step ended with: a value or a failure, as plain data. The
 * doctor's steps read their outcomes field by field, and Effect's own
 * `Either` (Effect 3) and `Result` (Effect 4) name the fields differently,
 * so the steps use this one instead, on either Effect line.
 *
 * @internal
 */
import * as Effect from "@steadfast/core/line/Effect"

/** @internal */
export interface Failed<E> {
  readonly _tag: "Failed"
  readonly left: E
}

/** @internal */
export interface Done<A> {
  readonly _tag: "Done"
  readonly right: A
}

/** @internal */
export type Outcome<A, E> = Failed<E> | Done<A>

/** @internal */
export const failed = <E>(left: E): Failed<E> => ({ _tag: "Failed", left })

/** @internal */
export const done = <A>(right: A): Done<A> => ({ _tag: "Done", right })

/** @internal */
export const isFailed = <A, E>(self: Outcome<A, E>): self is Failed<E> => self._tag === "Failed"

/** @internal */
export const isDone = <A, E>(self: Outcome<A, E>): self is Done<A> => self._tag === "Done"

/** The value, or `orElse()` when it failed. @internal */
export const getOrElse = <A, E, B>(self: Outcome<A, E>, orElse: () => B): A | B =>
  self._tag === "Done" ? self.right : orElse()

/** Runs `self` to its outcome (never fails). @internal */
export const of = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Outcome<A, E>, never, R> =>
  Effect.match(self, { onFailure: failed, onSuccess: done })
