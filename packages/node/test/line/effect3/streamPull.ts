/**
 * A stream read pull by pull in a test, on the Effect 3 line:
 * `Stream.toPull`, whose pull fails with `None` at the end. Same names as
 * `../effect4/streamPull.ts`. See docs/design.md, "Two Effect lines".
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** Each pull of `self`: the elements that came (at least one), `undefined` at the end, or the stream's failure. */
export const pullOf = <A, E, R>(
  self: Stream.Stream<A, E, R>
): Effect.Effect<Effect.Effect<ReadonlyArray<A> | undefined, E, R>, never, R | Scope.Scope> =>
  Effect.map(Stream.toPull(self), (pull) =>
    pull.pipe(
      Effect.map((chunk): ReadonlyArray<A> | undefined => Chunk.toReadonlyArray(chunk)),
      Effect.catchAll(Option.match({ onNone: () => Effect.succeed(undefined), onSome: Effect.fail }))
    ))
