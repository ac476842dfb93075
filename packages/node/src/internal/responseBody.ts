/**
 * The body of one response on the undici transport, from the moment its
 * headers arrived (exchange.ts): the chunks undici delivers are buffered
 * until someone reads them, then handed over as they come.
 *
 * Three ways to read it, one at a time:
 * - a sink (`subscribe`): the buffered chunks at once, then each as it
 *   arrives; what `read` (core's `BodyReader`) and a decoder (decode.ts) use;
 * - a pull (`pull`, for `response.stream`): what arrived since the last pull,
 *   keeping undici's flow control;
 * - `read` / `readNow`: a sink as an Effect that ends with the body.
 *
 * Flow control: while `HIGH_WATER_MARK` bytes wait unread (or a decoder's
 * input is full) undici is paused, so a slow reader holds the server back
 * instead of the whole body piling up in memory.
 *
 * The body decides nothing about its connection: when its reader stops
 * before the end it asks its exchange to drop the rest (`Owner.drop`), and
 * when the reader is interrupted, to cut the exchange off (`Owner.cut`).
 *
 * @internal
 */
import * as BodyStream from "#line/bodyStream"
import { deferResume } from "#line/runtime"
import * as Effect from "@steadfast/core/line/Effect"
import type { HttpClientResponse } from "@steadfast/core/line/http"
import type { ResponseError } from "@steadfast/core/line/platformError"
import type { Dispatcher } from "undici"
import type { Sink, Source } from "./decode.js"
import { RequestInterrupted } from "./requestBody.js"

/** What a body needs of its exchange. @internal */
export interface Owner {
  /** The attempt's abort ends a read of the body when the read is interrupted (`Transport.Attempt`). */
  readonly abortsOnInterrupt: boolean
  /** The reader stopped before the end: drop the rest of the body with its connection. */
  readonly drop: () => void
  /** The reader was interrupted: end the exchange on its connection. */
  readonly cut: (reason: Error) => void
  readonly bodyError: (response: HttpClientResponse.HttpClientResponse, cause: unknown) => ResponseError
}

/** Where the body is. */
type State = 0 | 1 | 2 | 3
const State = {
  /** Chunks are still arriving. */
  Open: 0,
  Complete: 1,
  Failed: 2,
  /** Its reader stopped before the end; the rest was dropped. */
  Dropped: 3
} as const

/** Buffered body bytes above which undici is paused until the body is read. */
const HIGH_WATER_MARK = 64 * 1024

/** What a pull of the body succeeds and fails with (on Effect 3 the end is a failure with `Option.none()`, on Effect 4 `Cause.Done`). */
type PullSuccess = BodyStream.Pull<ResponseError> extends Effect.Effect<infer A, infer _E> ? A : never
type PullError = BodyStream.Pull<ResponseError> extends Effect.Effect<infer _A, infer E> ? E : never

type ReadResult = Effect.Effect<void, ResponseError>

const NO_CHUNKS: Array<Uint8Array> = []

/** @internal */
export class ResponseBody implements Source {
  private state: State = State.Open
  private paused = false
  /** The chunks not yet read; `NO_CHUNKS` (shared, never pushed to) while there are none. */
  private chunks: Array<Uint8Array> = NO_CHUNKS
  private chunkIndex = 0
  private buffered = 0
  private sink: Sink | undefined = undefined
  /** A pull of `pull()` waiting for the next chunk, or the end. */
  private waiter: (() => void) | undefined = undefined
  private failure: unknown = undefined
  /**
   * undici's controller of the response, while the body is open; let go of
   * once it is over: it holds the response's raw headers, which a body still
   * referenced (by its response) would keep through every minor GC.
   */
  private controller: Dispatcher.DispatchController | undefined

  constructor(
    private readonly owner: Owner,
    controller: Dispatcher.DispatchController
  ) {
    this.controller = controller
  }

  /** Whether chunks may still arrive (neither ended, failed nor dropped). */
  get isOpen(): boolean {
    return this.state === State.Open
  }

  // --- from undici, through the exchange ---------------------------------------

  /** A chunk arrived. */
  data(chunk: Uint8Array): void {
    if (this.state !== State.Open) return
    const sink = this.sink
    if (sink !== undefined) {
      if (!sink.chunk(chunk)) this.dropRest()
      return
    }
    if (this.chunks === NO_CHUNKS) this.chunks = [chunk]
    else this.chunks.push(chunk)
    this.buffered += chunk.length
    this.wake()
    if (this.buffered >= HIGH_WATER_MARK && !this.paused) {
      this.paused = true
      this.controller!.pause()
    }
  }

  /** The body ended. */
  end(): void {
    if (this.state !== State.Open) return
    this.state = State.Complete
    this.controller = undefined
    const sink = this.sink
    if (sink !== undefined) {
      this.sink = undefined
      sink.end()
    }
    this.wake()
  }

  /** The body failed (the connection, a limit, or the exchange cut off). */
  fail(error: unknown): void {
    if (this.state !== State.Open) return
    this.state = State.Failed
    this.controller = undefined
    this.failure = error
    this.chunks = NO_CHUNKS
    const sink = this.sink
    if (sink !== undefined) {
      this.sink = undefined
      sink.fail(error)
    }
    this.wake()
  }

  // --- to the reader -------------------------------------------------------------

  /** The reader stopped before the end: drop the rest of the body and the connection with it. */
  private dropRest(): void {
    const sink = this.sink
    this.sink = undefined
    this.chunks = NO_CHUNKS
    this.state = State.Dropped
    this.controller = undefined
    this.owner.drop()
    sink?.end()
  }

  /**
   * Delivers the body to `sink`: the buffered chunks at once, then the rest
   * as it arrives. Returns false when the body ended (or failed) while the
   * buffered chunks were delivered, after calling `end` (or `fail`).
   */
  subscribe(sink: Sink): boolean {
    const chunks = this.chunks
    while (this.chunkIndex < chunks.length) {
      const chunk = chunks[this.chunkIndex++]!
      this.buffered -= chunk.length
      if (!sink.chunk(chunk)) {
        if (this.state === State.Open) {
          this.dropRest()
        } else {
          this.chunks = NO_CHUNKS
          this.chunkIndex = 0
        }
        sink.end()
        return false
      }
    }
    this.chunks = NO_CHUNKS
    this.chunkIndex = 0
    this.buffered = 0
    switch (this.state) {
      case State.Open:
        this.sink = sink
        this.resume()
        return true
      case State.Failed:
        sink.fail(this.failure)
        return false
      default:
        sink.end()
        return false
    }
  }

  /** Stops undici reading the body until {@link resume} (a decoder's input is full). */
  pause(): void {
    if (this.state === State.Open && !this.paused) {
      this.paused = true
      this.controller!.pause()
    }
  }

  /** Lets undici read the body again. */
  resume(): void {
    if (this.paused && this.state === State.Open) {
      this.paused = false
      this.controller!.resume()
    }
  }

  /** Stops delivering to `sink` (its reader was interrupted) and aborts the body. */
  unsubscribe(sink: Sink): void {
    if (this.sink !== sink) return
    this.sink = undefined
    if (this.state === State.Open) this.owner.cut(new RequestInterrupted())
  }

  private wake(): void {
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter()
    }
  }

  /**
   * The body as a pull (for `response.stream`): the chunks buffered so far,
   * or the next to arrive; the end (see `#line/bodyStream`). Unlike a sink, it
   * keeps undici's flow control: undici stays paused while
   * `HIGH_WATER_MARK` bytes wait unread.
   */
  pull(
    response: HttpClientResponse.HttpClientResponse
  ): BodyStream.Pull<ResponseError> {
    return Effect.suspend(() => {
      if (this.chunkIndex < this.chunks.length) {
        const taken = this.chunkIndex === 0 ? this.chunks : this.chunks.slice(this.chunkIndex)
        this.chunks = NO_CHUNKS
        // what arrived since the last pull, as one buffer: a body of many tiny chunks would otherwise
        // become a stream of as many elements (a fold over them ran out of stack)
        const one = taken.length === 1 ? taken : [Buffer.concat(taken)]
        this.chunkIndex = 0
        this.buffered = 0
        this.resume()
        return BodyStream.chunks(one)
      }
      switch (this.state) {
        case State.Open:
          return Effect.async<PullSuccess, PullError>((resume) => {
            const later = deferResume(resume)
            this.waiter = () => later(this.pull(response))
            return Effect.sync(() => {
              this.waiter = undefined
            })
          })
        case State.Failed:
          return BodyStream.failed(this.owner.bodyError(response, this.failure))
        default:
          return BodyStream.end
      }
    })
  }

  /** The reader of `pull()` went away before the end: drop the rest of the body and its connection. */
  abandon(): void {
    this.waiter = undefined
    if (this.state === State.Open) this.dropRest()
  }

  /** Reads the body chunk by chunk (the core's `BodyReader`). */
  read(
    response: HttpClientResponse.HttpClientResponse,
    onChunk: (chunk: Uint8Array) => boolean
  ): Effect.Effect<void, ResponseError> {
    return Effect.suspend(() => this.readNow(response, onChunk))
  }

  /**
   * {@link read}, started now: the chunks that arrived are delivered at once,
   * and when the body is over already (a small body usually is by the time
   * it is read) the result is an `Exit`, which core takes without running
   * an Effect (see `Transport.BodyReader`).
   */
  readNow(
    response: HttpClientResponse.HttpClientResponse,
    onChunk: (chunk: Uint8Array) => boolean
  ): Effect.Effect<void, ResponseError> {
    const sink = new ReadSink(this.owner, response, onChunk)
    // subscribe may resume undici, which can deliver the rest of the body
    // (and its end) synchronously: then `result` is already set
    if (!this.subscribe(sink) || sink.result !== undefined) return sink.result!
    // no canceler when the attempt's abort tells of an interruption (`abortsOnInterrupt`): it cuts the body
    return this.owner.abortsOnInterrupt
      ? Effect.async<void, ResponseError>((cb) => sink.wait(cb))
      : Effect.async<void, ResponseError>((cb) => {
        sink.wait(cb)
        return Effect.sync(() => this.unsubscribe(sink))
      })
  }
}

/** The sink of `ResponseBody.read`: one object, no closures. */
class ReadSink implements Sink {
  result: ReadResult | undefined = undefined
  private resume: ((effect: ReadResult) => void) | undefined = undefined

  constructor(
    private readonly owner: Owner,
    private readonly response: HttpClientResponse.HttpClientResponse,
    readonly chunk: (chunk: Uint8Array) => boolean
  ) {}

  /** The read waits for the end: `resume` is called with it (at once if it came already). */
  wait(resume: (effect: ReadResult) => void): void {
    if (this.result !== undefined) resume(this.result)
    else this.resume = deferResume(resume)
  }

  end(): void {
    this.settle(Effect.void)
  }

  fail(cause: unknown): void {
    this.settle(Effect.fail(this.owner.bodyError(this.response, cause)))
  }

  private settle(result: ReadResult): void {
    const resume = this.resume
    if (resume !== undefined) {
      this.resume = undefined
      resume(result)
    } else this.result = result
  }
}
