/**
 * A response body as a `Stream`, on the Effect 3 line: pulled from the
 * exchange chunk by chunk (`Stream.repeatEffectChunkOption`: a pull fails
 * with `Option.none()` at the end), or pushed by a decoder into a bounded
 * buffer (`Stream.async`). Effect 4 spells both differently
 * (`src/line/effect4/bodyStream.ts`, same names). See docs/design.md, "Two
 * Effect lines".
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** One pull of a body: the chunks that arrived, the end, or the failure. @internal */
export type Pull<E> = Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E>>

/** A pull's result: these chunks (at least one). @internal */
export const chunks = <E>(received: ReadonlyArray<Uint8Array>): Pull<E> =>
  Effect.succeed(Chunk.unsafeFromArray(received))

/** A pull's result: the body ended. @internal */
export const end: Pull<never> = Effect.fail(Option.none())

/** A pull's result: the body failed with `error`. @internal */
export const failed = <E>(error: E): Pull<E> => Effect.fail(Option.some(error))

/** The body as a stream of what `pull` returns, pulled when the consumer asks. @internal */
export const pulled = <E>(pull: Pull<E>): Stream.Stream<Uint8Array, E> => Stream.repeatEffectChunkOption(pull)

/** How a pushing source hands chunks to {@link pushed}: `single` resolves when the buffer has room. @internal */
export interface Emit<E> {
  readonly single: (chunk: Uint8Array) => Promise<unknown>
  readonly end: () => unknown
  readonly fail: (error: E) => unknown
}

/** The body as a stream of what `start` emits into a buffer of `bufferSize` chunks; `start` returns its stop. @internal */
export const pushed = <E>(start: (emit: Emit<E>) => () => void, bufferSize: number): Stream.Stream<Uint8Array, E> =>
  Stream.async<Uint8Array, E>((emit) => {
    const stop = start(emit)
    return Effect.sync(stop)
  }, bufferSize)
