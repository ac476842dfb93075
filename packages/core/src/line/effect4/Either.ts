/**
 * `Either` on the Effect 4 line, in the Effect 3 shape the shared source
 * (and its tests) read: `{ _tag: "Right", right }` or `{ _tag: "Left", left }`.
 * Effect 4 has `Result` instead (`success` / `failure`); `Effect.either` of
 * `#line/Effect` turns one into the other, and `toEffect` makes an effect of
 * an `Either`. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** A failure; its type parameters in Effect 3's order (the left's type first). @internal */
export interface Left<out L, out R> {
  readonly _tag: "Left"
  readonly left: L
  /** @internal */
  readonly _R?: R
}

/** A success; its type parameters in Effect 3's order (the left's type first). @internal */
export interface Right<out L, out R> {
  readonly _tag: "Right"
  readonly right: R
  /** @internal */
  readonly _L?: L
}

/** @internal */
export type Either<R, L = never> = Left<L, R> | Right<L, R>

/** @internal */
export const right = <R>(right: R): Either<R> => ({ _tag: "Right", right })

/** @internal */
export const left = <L>(left: L): Either<never, L> => ({ _tag: "Left", left })

/** @internal */
export const isLeft = <R, L>(self: Either<R, L>): self is Left<L, R> => self._tag === "Left"

/** @internal */
export const isRight = <R, L>(self: Either<R, L>): self is Right<L, R> => self._tag === "Right"

/** `self` as an effect. @internal */
export const toEffect = <R, L>(self: Either<R, L>): Effect.Effect<R, L> =>
  self._tag === "Right" ? Effect.succeed(self.right) : Effect.fail(self.left)
