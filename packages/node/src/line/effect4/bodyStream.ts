/**
 * A response body as a `Stream`, on the Effect 4 line: pulled from the
 * exchange chunk by chunk (`Stream.fromPull`: a pull fails with `Cause.Done`
 * at the end), or pushed by a decoder into a bounded queue
 * (`Stream.callback`). Same names as `src/line/effect3/bodyStream.ts`. See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"

/** One pull of a body: the chunks that arrived, the end, or the failure. @internal */
export type Pull<E> = Effect.Effect<Arr.NonEmptyReadonlyArray<Uint8Array>, E | Cause.Done>

/** A pull's result: these chunks (at least one). @internal */
export const chunks = <E>(received: ReadonlyArray<Uint8Array>): Pull<E> =>
  Effect.succeed(received as Arr.NonEmptyReadonlyArray<Uint8Array>)

/** A pull's result: the body ended. @internal */
export const end: Pull<never> = Cause.done()

/** A pull's result: the body failed with `error`. @internal */
export const failed = <E>(error: E): Pull<E> => Effect.fail(error)

/** The body as a stream of what `pull` returns, pulled when the consumer asks. @internal */
export const pulled = <E>(pull: Pull<E>): Stream.Stream<Uint8Array, E> =>
  Stream.fromPull(Effect.succeed(pull)) as Stream.Stream<Uint8Array, E>

/** How a pushing source hands chunks to {@link pushed}: `single` resolves when the buffer has room. @internal */
export interface Emit<E> {
  readonly single: (chunk: Uint8Array) => Promise<unknown>
  readonly end: () => unknown
  readonly fail: (error: E) => unknown
}

/** The body as a stream of what `start` emits into a buffer of `bufferSize` chunks; `start` returns its stop. @internal */
export const pushed = <E>(start: (emit: Emit<E>) => () => void, bufferSize: number): Stream.Stream<Uint8Array, E> =>
  Stream.callback<Uint8Array, E>(
    (queue) =>
      Effect.acquireRelease(
        Effect.sync(() =>
          start({
            single: (chunk) => Effect.runPromise(Queue.offer(queue, chunk)),
            end: () => Queue.endUnsafe(queue),
            fail: (error) => Queue.failCauseUnsafe(queue, Cause.fail(error))
          })
        ),
        (stop) => Effect.sync(stop)
      ),
    { bufferSize, strategy: "suspend" }
  )
