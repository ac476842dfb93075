/**
 * A request body as undici sends it, and a `Stream` body the exchange can
 * stop.
 *
 * @internal
 */
import type { HttpBody } from "@steadfast/core/line/http"
import * as Stream from "@steadfast/core/line/Stream"
import type { Dispatcher } from "undici"

/** The reason given to undici when the caller's fiber is interrupted. @internal */
export class RequestInterrupted extends Error {
  readonly code = "UND_ERR_ABORTED"
  constructor() {
    super("steadfast: the request was interrupted")
    this.name = "RequestInterrupted"
  }
}

/**
 * A request body `Stream` as the async iterable undici reads, which the
 * exchange can stop. undici leaves that to the iterable's owner
 * (client-h1.js, `writeIterable`: "It's up to the user to somehow abort the
 * async iterable"): when the exchange ends while undici waits for the next
 * chunk — the server answered early, the attempt was cut off — undici's
 * loop would wait for ever, and the stream's fiber and finalizers with it.
 * `stop` interrupts the stream and fails the pending read, so undici's loop
 * ends too.
 *
 * @internal
 */
export class StreamBody implements AsyncIterable<Uint8Array> {
  private inner: AsyncIterator<Uint8Array> | undefined = undefined
  private rejectPending: ((error: Error) => void) | undefined = undefined
  private stopped = false

  constructor(readonly stream: Stream.Stream<Uint8Array, unknown>) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const inner = Stream.toAsyncIterable(this.stream)[Symbol.asyncIterator]()
    this.inner = inner
    return {
      next: () =>
        this.stopped ? Promise.reject(new RequestInterrupted()) : new Promise((resolve, reject) => {
          this.rejectPending = reject
          inner.next().then((result) => {
            this.rejectPending = undefined
            if (result.done === true) this.inner = undefined
            resolve(result)
          }, (error: unknown) => {
            this.rejectPending = undefined
            this.inner = undefined
            reject(error)
          })
        }),
      // undici's `for await` stops early (a socket error)
      return: () => {
        this.stop()
        return Promise.resolve({ done: true, value: undefined })
      }
    }
  }

  /** Interrupts the stream if it is still being read. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    const inner = this.inner
    const reject = this.rejectPending
    this.inner = undefined
    this.rejectPending = undefined
    if (inner?.return !== undefined) inner.return().catch(() => {})
    reject?.(new RequestInterrupted())
  }
}

/** @internal */
export const toUndiciBody = (
  body: HttpBody.HttpBody
): NonNullable<Dispatcher.DispatchOptions["body"]> | StreamBody | null => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return (body.body ?? null) as NonNullable<Dispatcher.DispatchOptions["body"]> | null
    case "FormData":
      return body.formData as unknown as NonNullable<Dispatcher.DispatchOptions["body"]>
    case "Stream":
      return new StreamBody(body.stream)
  }
}
