/**
 * A stream read pull by pull in a test, on the Effect 4 line:
 * `Stream.toPull`, whose pull fails with `Cause.Done` at the end. Same names
 * as `../effect3/streamPull.ts`. See docs/design.md, "Two Effect lines".
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** Each pull of `self`: the elements that came (at least one), `undefined` at the end, or the stream's failure. */
export const pullOf = <A, E, R>(
  self: Stream.Stream<A, E, R>
): Effect.Effect<Effect.Effect<ReadonlyArray<A> | undefined, E, R>, never, R | Scope.Scope> =>
  Effect.map(Stream.toPull(self), (pull) =>
    pull.pipe(
      Effect.map((chunk): ReadonlyArray<A> | undefined => chunk),
      Effect.catch((error) => Cause.isDone(error) ? Effect.succeed(undefined) : Effect.fail(error as E))
    ))
