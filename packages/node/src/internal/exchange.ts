/**
 * One request on the undici pool: our own dispatch handler, on undici's
 * controller-based handler API (`onRequestStart`, `onResponseStart`,
 * `onResponseData`, `onResponseEnd`, `onResponseError`).
 *
 * Why `dispatch()` with a handler and not `request()`: `request()` builds a
 * `Readable` per response, an `AsyncResource`, and a parsed header object we
 * would copy again; on loopback it cost about 14 µs of client CPU per request
 * against 10.5 µs for a bare handler (bench/micro/dispatch-vs-request.mjs).
 *
 * The exchange reports facts and decides nothing: how far the attempt got
 * (queued in the pool, a connection being opened for it, on a connection,
 * written), whether the connection was reused, the bytes written, the proxy
 * it went through. Whether to send it again — a stale keep-alive connection,
 * a proxy that cannot be reached — is decided by core's `decide`, which sees
 * every attempt.
 *
 * Life of an exchange (see `State`):
 * - `Pending`: dispatched; in the pool's queue until a connection takes it
 *   (`Connection.dispatch` tells it: see connections.ts), then on a
 *   connection being opened, or on an open one about to write it.
 * - `Sending`: undici called `onRequestStart`, right before the request head
 *   is written.
 * - `Body`: the headers arrived; the send effect succeeded with a response.
 * - `Complete` / `Failed` / `Dropped` / `Cancelled`: final.
 *
 * Cutting an attempt off (a timeout, the deadline, the caller) costs no
 * connection it did not already have:
 * - in the pool's queue: the exchange settles at once, and its connection
 *   drops it when the pool hands it over, before undici sees it;
 * - on a connection being opened for it: settled at once; the half-open
 *   socket is destroyed when no other request waits for the pool (else it is
 *   closed once open, unless a waiting request took it);
 * - on an open connection: settled at once, and the exchange destroys the
 *   socket itself with its own error. undici then fails this request and
 *   advances past it. (`controller.abort()` would not do: undici destroys
 *   the socket with an "informational" error, puts the aborted request back
 *   at the head of the connection's queue and opens a new connection for it
 *   — the extra connection per timed-out attempt.) With pipelining, where
 *   the request may not be the head of the connection, `controller.abort()`
 *   is used still.
 *
 * @internal
 */
import * as BodyStream from "#line/bodyStream"
import type { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import type { HttpClientError, HttpClientRequest, HttpClientResponse } from "@steadfast/core/line/http"
import { type RequestError, requestError, type ResponseError, responseError } from "@steadfast/core/line/platformError"
import type * as net from "node:net"
import type { Dispatcher } from "undici"
import { type Assignable, type Connection, type ConnectionPool, ExchangeKey } from "./connections.js"
import { withAcceptEncoding } from "./decode.js"
import { proxyCause } from "./proxyCause.js"
import { RequestInterrupted, StreamBody, toUndiciBody } from "./requestBody.js"
import { NodeResponse } from "./response.js"

/** The proxy a request goes through, as core's `Classify` wants it. @internal */
export interface ProxyInfo {
  readonly url: string
  readonly host: string
  readonly port: number
}

/** Where a request goes. @internal */
export interface Route {
  readonly dispatcher: Dispatcher
  readonly proxy: ProxyInfo | undefined
}

/** What an exchange needs from its pool. @internal */
export interface Engine {
  readonly route: (url: URL) => Route
  /** The direct route, for attempts that bypass the proxy (a fallback decided by core). */
  readonly direct: Route
  /** A request whose proxy cannot be reached may go direct (reported to core as a fact of the route). */
  readonly fallbackToDirect: boolean
  /** Requests per connection: above 1 an exchange may not be the head of its connection. */
  readonly pipelining: number
  /** The pool's `maxResponseSize`, reported as the limit when undici enforces it. */
  readonly maxResponseSize: number | undefined
  /** The bound on connections per origin (`Infinity`: none). */
  readonly connections: number
  /** Core decided to send a request again at once: the pool's counters. */
  readonly onResend: (reason: "stale-socket" | "proxy-fallback" | "refused-stream", url: URL) => void
}

/** Where an exchange is (see the module comment). */
type State = 0 | 1 | 2 | 3 | 4 | 5 | 6
const State = {
  Pending: 0,
  Sending: 1,
  Body: 2,
  Complete: 3,
  Failed: 4,
  Dropped: 5,
  Cancelled: 6
} as const

/** Buffered body bytes above which undici is paused until the body is read. */
const HIGH_WATER_MARK = 64 * 1024

interface Sink {
  readonly chunk: (chunk: Uint8Array) => boolean
  readonly end: () => void
  readonly fail: (cause: unknown) => void
}

/** What a pull of the body succeeds and fails with (on Effect 3 the end is a failure with `Option.none()`, on Effect 4 `Cause.Done`). */
type PullSuccess = BodyStream.Pull<ResponseError> extends Effect.Effect<infer A, infer _E> ? A : never
type PullError = BodyStream.Pull<ResponseError> extends Effect.Effect<infer _A, infer E> ? E : never

type Resume = (effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>) => void

/**
 * An HTTP/2 connection carries other requests: an exchange that ends early
 * resets its stream (`controller.abort()`, RST_STREAM CANCEL) and never
 * destroys the socket.
 */
const isH2 = (socket: net.Socket): boolean => (socket as { readonly alpnProtocol?: unknown }).alpnProtocol === "h2"

/**
 * The server reset the stream with REFUSED_STREAM (Node's
 * `ERR_HTTP2_STREAM_ERROR`, which undici passes on): by RFC 9113 §8.7 it
 * did not process the request.
 */
const isRefusedStream = (error: Error): boolean =>
  (error as { readonly code?: unknown }).code === "ERR_HTTP2_STREAM_ERROR" &&
  error.message.includes("NGHTTP2_REFUSED_STREAM")

/** Whether an abort reason is core's pool timeout (the pool's state is then reported). */
const isPoolTimeout = (reason: unknown): boolean => (reason as { readonly tag?: unknown } | null)?.tag === "PoolTimeout"

/** @internal */
export class Exchange implements Dispatcher.DispatchHandler, Assignable {
  state: State = State.Pending
  readonly method: string
  readonly path: string
  private readonly opts: Dispatcher.DispatchOptions
  private readonly route: Route
  private connection: Connection | undefined = undefined
  private socket: net.Socket | undefined = undefined
  private writtenBefore = 0
  /** The pool whose queue it waits in, while it does. */
  private queue: ConnectionPool | undefined = undefined
  private controller: Dispatcher.DispatchController | undefined = undefined
  private resumeSend: Resume | undefined
  private paused = false
  private chunks: Array<Uint8Array> = []
  private chunkIndex = 0
  private buffered = 0
  private sink: Sink | undefined = undefined
  /** A pull of `pull()` waiting for the next chunk, or the end. */
  private waiter: (() => void) | undefined = undefined
  private bodyFailure: unknown = undefined
  private readonly streamBody: StreamBody | undefined

  constructor(
    readonly engine: Engine,
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly url: URL,
    readonly attempt: Transport.Attempt,
    resume: Resume
  ) {
    this.resumeSend = resume
    this.method = request.method
    this.path = url.pathname + url.search
    const route = attempt.bypassProxy ? engine.direct : engine.route(url)
    this.route = route
    const body = toUndiciBody(request.body)
    this.streamBody = body instanceof StreamBody ? body : undefined
    this.opts = {
      origin: url.origin,
      path: this.path,
      method: request.method as Dispatcher.HttpMethod,
      // undici's ProxyAgent writes `host` into the headers object it is given;
      // a request's headers may be @effect/platform's shared `Headers.empty`,
      // so a proxied request gets its own copy (direct routes only read it)
      // compressed bodies are asked for unless the request says what it accepts (decode.ts)
      headers: attempt.decompress && request.headers["accept-encoding"] === undefined
        ? withAcceptEncoding(request.headers)
        : route.proxy === undefined
        ? request.headers
        : { ...request.headers },
      // undici sends any (async) iterable; its types only list Readable
      body: body as NonNullable<Dispatcher.DispatchOptions["body"]> | null,
      // how the pool's connection finds this exchange (see connections.ts)
      [ExchangeKey]: this
    } as Dispatcher.DispatchOptions
  }

  get cancelled(): boolean {
    return this.state === State.Cancelled
  }

  get isAssigned(): boolean {
    return this.connection !== undefined
  }

  get remoteAddress(): string | undefined {
    return this.socket?.remoteAddress
  }

  /**
   * Starts the exchange; returns the canceler of the send effect, or nothing
   * when the attempt's abort tells of an interruption (`abortsOnInterrupt`).
   */
  start(): Effect.Effect<void> | undefined {
    // called at once when the attempt was cut off already
    this.attempt.onAbort(this.onAbort)
    if (this.state === State.Cancelled) return undefined
    const proxy = this.route.proxy
    if (proxy !== undefined) this.attempt.proxy({ ...proxy, fallback: this.engine.fallbackToDirect })
    this.dispatch()
    return this.attempt.abortsOnInterrupt === true
      ? undefined
      : Effect.sync(() => this.cancel(new RequestInterrupted()))
  }

  private dispatch(): void {
    try {
      this.route.dispatcher.dispatch(this.opts, this)
    } catch (error) {
      // ProxyAgent.dispatch throws (instead of failing the request) on a
      // Proxy-Authorization request header.
      this.onResponseError(undefined, error as Error)
    }
  }

  /** No connection of `pool` was free: the request waits in its queue (connections.ts). */
  queuedIn(pool: ConnectionPool): void {
    if (this.queue !== undefined || this.state !== State.Pending) return
    this.queue = pool
    pool.waiting++
    this.attempt.queued()
  }

  private leaveQueue(): void {
    const pool = this.queue
    if (pool === undefined) return
    this.queue = undefined
    pool.waiting--
  }

  /** A connection of the pool took the request (connections.ts). */
  assigned(connection: Connection): void {
    this.connection = connection
    this.leaveQueue()
    if (this.state !== State.Pending) return
    // on an open connection it is written at once, or after undici checked
    // that the idle connection is still open; otherwise one is being opened
    if (connection.isOpen) this.attempt.connected(connection.served > 0)
    else this.attempt.connecting()
  }

  /**
   * The attempt was cut off: a timeout, the deadline, or the caller. (Through
   * `Attempt.onAbort`, which does not build an AbortSignal; the listener
   * cannot be removed, so it checks the state.)
   */
  private readonly onAbort = (reason: Error): void => this.cancel(reason)

  private cancel(reason: unknown): void {
    switch (this.state) {
      case State.Pending: {
        this.state = State.Cancelled
        this.streamBody?.stop()
        const pool = this.queue
        if (pool !== undefined) {
          this.leaveQueue()
          if (isPoolTimeout(reason)) {
            const stats = pool.stats
            this.attempt.pool({
              origin: this.opts.origin as string,
              inUse: stats.running,
              limit: this.engine.connections,
              waiting: stats.pending
            })
          }
        }
        this.connection?.abandon(reason as Error)
        this.settle(Effect.fail(this.requestError(reason)))
        return
      }
      case State.Sending:
      case State.Body:
        this.cut(reason as Error)
        return
      default:
        return
    }
  }

  /**
   * Ends the exchange on its connection: settles it at once with `reason`,
   * then destroys the socket (see the module comment).
   */
  private cut(reason: Error): void {
    const socket = this.socket
    if (socket === undefined || socket.destroyed || this.engine.pipelining > 1 || isH2(socket)) {
      // undici calls onResponseError(reason) and destroys the socket
      this.controller?.abort(reason)
      return
    }
    this.report()
    this.fail(reason)
    socket.destroy(reason)
  }

  /** Settles a failure: of the send before the headers, of the body after. */
  private fail(error: unknown): void {
    switch (this.state) {
      case State.Pending:
      case State.Sending: {
        this.leaveQueue()
        const proxy = this.route.proxy
        this.state = State.Failed
        this.streamBody?.stop()
        this.settle(Effect.fail(this.requestError(proxy === undefined ? error : proxyCause(error, proxy))))
        return
      }
      case State.Body: {
        this.state = State.Failed
        this.streamBody?.stop()
        this.bodyFailure = error
        this.chunks = []
        const sink = this.sink
        if (sink !== undefined) {
          this.sink = undefined
          sink.fail(error)
        }
        this.wake()
        return
      }
      default:
        // dropped (the body reader stopped) or cancelled while queued
        this.streamBody?.stop()
        return
    }
  }

  /** The bytes written, when the socket says. */
  private report(): void {
    const written = this.socket?.bytesWritten
    if (written !== undefined) this.attempt.bytesWritten(written - this.writtenBefore)
  }

  private settle(effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>): void {
    const resume = this.resumeSend
    if (resume !== undefined) {
      this.resumeSend = undefined
      resume(effect)
    }
  }

  private requestError(cause: unknown): RequestError {
    return requestError({ request: this.request, reason: "Transport", cause })
  }

  /** @internal */
  bodyError(response: HttpClientResponse.HttpClientResponse, cause: unknown): ResponseError {
    return responseError({ request: this.request, response, reason: "Decode", cause })
  }

  // --- undici's handler API ---------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.state !== State.Pending) {
      // Cut off before it went out (and undici did not drop it first): make
      // undici drop the request without touching the socket (client-h1.js,
      // writeH1: `try { request.onConnect(abort) } catch (err) { util.errorRequest(…) }`,
      // then `if (request.aborted) return false`).
      throw new RequestInterrupted()
    }
    this.controller = controller
    this.state = State.Sending
    this.leaveQueue()
    const connection = this.connection
    let reused = false
    if (connection !== undefined) {
      reused = connection.started()
      const socket = connection.socket
      this.socket = socket
      // what the socket wrote before (its `bytesWritten` getter allocates; this field does not)
      this.writtenBefore = (socket as { readonly _bytesDispatched?: number } | undefined)?._bytesDispatched ?? 0
    }
    this.attempt.connected(reused)
    this.attempt.written()
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | Array<string> | undefined>,
    statusText?: string
  ): void {
    if (statusCode < 200) return // 1xx: informational, the real head follows
    if (this.state !== State.Sending) return
    this.controller = controller
    this.state = State.Body
    this.settle(Effect.succeed(new NodeResponse(this, statusCode, headers, statusText ?? "")))
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.state !== State.Body) return
    const sink = this.sink
    if (sink !== undefined) {
      if (!sink.chunk(chunk)) this.drop()
      return
    }
    this.chunks.push(chunk)
    this.buffered += chunk.length
    this.wake()
    if (this.buffered >= HIGH_WATER_MARK && !this.paused) {
      this.paused = true
      controller.pause()
    }
  }

  onResponseEnd(): void {
    if (this.state !== State.Body) return
    this.state = State.Complete
    // a response that ended before the request body was sent (undici then
    // destroys the socket): the body's stream is read no more
    this.streamBody?.stop()
    const sink = this.sink
    if (sink !== undefined) {
      this.sink = undefined
      sink.end()
    }
    this.wake()
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (
      (error as { code?: unknown }).code === "UND_ERR_RES_EXCEEDED_MAX_SIZE" &&
      this.engine.maxResponseSize !== undefined
    ) {
      // undici's error does not say which limit: core's classifier reads `limit`
      Object.assign(error, { limit: this.engine.maxResponseSize })
    }
    if (this.state === State.Sending || this.state === State.Body) this.report()
    // a fact for core's decide: the server did not process the request
    if (this.state === State.Sending && isRefusedStream(error)) this.attempt.unprocessed()
    this.fail(error)
  }

  // --- the body -------------------------------------------------------------

  /** `onChunk` said stop: drop the rest of the body and the socket with it. */
  private drop(): void {
    const sink = this.sink
    this.sink = undefined
    this.chunks = []
    const socket = this.socket
    if (socket !== undefined && !socket.destroyed && this.engine.pipelining <= 1 && !isH2(socket)) {
      this.state = State.Dropped
      socket.destroy(new RequestInterrupted())
    } else {
      this.state = State.Dropped
      this.controller?.abort(new RequestInterrupted())
    }
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
        if (this.state === State.Body) {
          this.drop()
        } else {
          this.chunks = []
          this.chunkIndex = 0
        }
        sink.end()
        return false
      }
    }
    this.chunks = []
    this.chunkIndex = 0
    this.buffered = 0
    switch (this.state) {
      case State.Body:
        this.sink = sink
        if (this.paused) {
          this.paused = false
          this.controller!.resume()
        }
        return true
      case State.Failed:
        sink.fail(this.bodyFailure)
        return false
      default:
        sink.end()
        return false
    }
  }

  /** Stops undici reading the body until {@link resumeBody} (a decoder's input is full). */
  pauseBody(): void {
    if (this.state === State.Body && !this.paused) {
      this.paused = true
      this.controller!.pause()
    }
  }

  /** Lets undici read the body again. */
  readonly resumeBody = (): void => {
    if (this.paused && this.state === State.Body) {
      this.paused = false
      this.controller!.resume()
    }
  }

  /** Stops delivering to `sink` (its reader was interrupted) and aborts the body. */
  unsubscribe(sink: Sink): void {
    if (this.sink !== sink) return
    this.sink = undefined
    if (this.state === State.Body) this.cut(new RequestInterrupted())
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
   * `HIGH_WATER_MARK` bytes wait unread, so a slow consumer holds the server
   * back instead of the whole body piling up in memory.
   */
  pull(
    response: HttpClientResponse.HttpClientResponse
  ): BodyStream.Pull<ResponseError> {
    return Effect.suspend(() => {
      if (this.chunkIndex < this.chunks.length) {
        const taken = this.chunkIndex === 0 ? this.chunks : this.chunks.slice(this.chunkIndex)
        this.chunks = []
        // what arrived since the last pull, as one buffer: a body of many tiny chunks would otherwise
        // become a stream of as many elements (a fold over them ran out of stack)
        const one = taken.length === 1 ? taken : [Buffer.concat(taken)]
        this.chunkIndex = 0
        this.buffered = 0
        if (this.paused && this.state === State.Body) {
          this.paused = false
          this.controller!.resume()
        }
        return BodyStream.chunks(one)
      }
      switch (this.state) {
        case State.Body:
          return Effect.async<PullSuccess, PullError>((resume) => {
            this.waiter = () => resume(this.pull(response))
            return Effect.sync(() => {
              this.waiter = undefined
            })
          })
        case State.Failed:
          return BodyStream.failed(this.bodyError(response, this.bodyFailure))
        default:
          return BodyStream.end
      }
    })
  }

  /** The reader of `pull()` went away before the end: drop the rest of the body and its socket. */
  abandon(): void {
    this.waiter = undefined
    if (this.state === State.Body) this.drop()
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
    const sink = new ReadSink(this, response, onChunk)
    // subscribe may resume undici, which can deliver the rest of the body
    // (and its end) synchronously: then `result` is already set
    if (!this.subscribe(sink) || sink.result !== undefined) return sink.result!
    // no canceler when the attempt's abort tells of an interruption (`abortsOnInterrupt`): it cuts the body
    return this.attempt.abortsOnInterrupt === true
      ? Effect.async<void, ResponseError>((cb) => sink.wait(cb))
      : Effect.async<void, ResponseError>((cb) => {
        sink.wait(cb)
        return Effect.sync(() => this.unsubscribe(sink))
      })
  }
}

type ReadResult = Effect.Effect<void, ResponseError>

/** The sink of `Exchange.read`: one object, no closures. */
class ReadSink implements Sink {
  result: ReadResult | undefined = undefined
  private resume: ((effect: ReadResult) => void) | undefined = undefined

  constructor(
    private readonly exchange: Exchange,
    private readonly response: HttpClientResponse.HttpClientResponse,
    readonly chunk: (chunk: Uint8Array) => boolean
  ) {}

  /** The read waits for the end: `resume` is called with it (at once if it came already). */
  wait(resume: (effect: ReadResult) => void): void {
    if (this.result !== undefined) resume(this.result)
    else this.resume = resume
  }

  end(): void {
    this.settle(Effect.void)
  }

  fail(cause: unknown): void {
    this.settle(Effect.fail(this.exchange.bodyError(this.response, cause)))
  }

  private settle(result: ReadResult): void {
    const resume = this.resume
    if (resume !== undefined) {
      this.resume = undefined
      resume(result)
    } else this.result = result
  }
}

/**
 * The direct transport over a pool.
 *
 * @internal
 */
export const makeTransport = (engine: Engine): Transport.Transport => ({
  tracksConnect: true,
  onResend: engine.onResend,
  send: (request, url, attempt) =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) =>
      new Exchange(engine, request, url, attempt, resume).start()
    )
})
