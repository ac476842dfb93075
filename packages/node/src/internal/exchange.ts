/**
 * One request on the undici pool: our own dispatch handler.
 *
 * Why `dispatch()` with a handler and not `request()`: `request()` builds a
 * `Readable` per response, an `AsyncResource`, and a parsed header object we
 * would copy again; on loopback it cost about 14 µs of client CPU per request
 * against 10.5 µs for a bare handler (bench/micro/dispatch-vs-request.mjs).
 *
 * The handler speaks undici's "legacy" handler API (`onConnect`, `onHeaders`,
 * `onData`, `onComplete`, `onError`), which is what `Client` calls natively:
 * DispatcherBase only wraps handlers of the new API (UnwrapHandler).
 *
 * Life of an exchange (see `State`):
 * - `Pending`: dispatched, waiting for a socket (connecting, or queued in a
 *   full pool).
 * - `Sending`: undici called `onConnect` from `writeH1`, right before the
 *   request head is written: the attempt is told it is connected.
 * - `Body`: the headers arrived; the send effect succeeded with a response.
 * - `Complete` / `Failed` / `Dropped` / `Cancelled`: final.
 *
 * Aborting: once undici gave us its `abort` (in `onConnect`), the attempt's
 * abort calls it; undici then fails the request (`onError` with the
 * reason) and destroys the socket, since an HTTP/1.1 socket cannot be reused
 * mid-exchange. Before `onConnect` undici has no way to take a queued request
 * back, so the exchange settles at once (`Cancelled`) and, when undici later
 * offers it a socket, throws from `onConnect`: `writeH1` catches that, fails
 * the request and splices it out of the queue without writing anything and
 * without destroying the socket (client-h1.js, `writeH1`: `try {
 * request.onConnect(abort) } catch (err) { util.errorRequest(...) }`, then
 * `if (request.aborted) return false`). A burst of cancelled requests thus
 * costs no connection churn.
 *
 * @internal
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type { Transport } from "@steadfast/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Dispatcher } from "undici"
import { NodeResponse } from "./response.js"
import type { SocketTracker, Tracked } from "./sockets.js"

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
  readonly direct: Dispatcher
  readonly fallbackToDirect: boolean
  readonly tracker: SocketTracker
  /** The pool's `maxResponseSize`, reported as the limit when undici enforces it. */
  readonly maxResponseSize: number | undefined
  /** Called when a request was sent again after a stale keep-alive socket. */
  readonly onStaleRetry: (origin: string) => void
  /** Called when a request fell back to a direct connection. */
  readonly onFallback: (proxy: ProxyInfo, cause: unknown) => void
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

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])

/** Codes of a connection that died under a request before any response byte. */
const STALE_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"])

/** Connection-level failures to reach a proxy (the only ones that may fall back). */
const PROXY_CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EADDRNOTAVAIL"
])
const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA", "ESERVFAIL"])

interface Sink {
  readonly chunk: (chunk: Uint8Array) => boolean
  readonly end: () => void
  readonly fail: (cause: unknown) => void
}

/** The reason given to undici when the caller's fiber is interrupted. */
class RequestInterrupted extends Error {
  readonly code = "UND_ERR_ABORTED"
  constructor() {
    super("steadfast: the request was interrupted")
    this.name = "RequestInterrupted"
  }
}

/** A dead proxy named by host name: see `proxyCause`. @internal */
export class ProxyConnectionError extends Error {
  readonly code: string
  readonly address: string
  readonly port: number
  readonly syscall: string | undefined
  constructor(proxy: ProxyInfo, original: { readonly code: string; readonly syscall?: unknown }, cause: unknown) {
    super(`${original.code}: could not connect to the proxy ${proxy.url}`, { cause })
    this.name = "ProxyConnectionError"
    this.code = original.code
    this.address = proxy.host
    this.port = proxy.port
    this.syscall = typeof original.syscall === "string" ? original.syscall : undefined
  }
}

interface NodeErrorLike {
  readonly code?: unknown
  readonly port?: unknown
  readonly address?: unknown
  readonly hostname?: unknown
  readonly syscall?: unknown
  readonly message?: unknown
  readonly cause?: unknown
}

/** The error and its `cause`s, outermost first (at most 8). */
const causes = (error: unknown): Array<NodeErrorLike> => {
  const out: Array<NodeErrorLike> = []
  let current: unknown = error
  while (typeof current === "object" && current !== null && out.length < 8 && !out.includes(current)) {
    out.push(current as NodeErrorLike)
    current = (current as NodeErrorLike).cause
  }
  return out
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/
const isIp = (host: string) => IPV4.test(host) || host.includes(":")

/**
 * The connection-level failure to reach `proxy` inside `error`, if that is
 * what it is: refused, reset, unreachable, a DNS failure for the proxy's
 * name, or undici's own connect timeout naming the proxy's address.
 */
const proxyConnectFailure = (error: unknown, proxy: ProxyInfo): NodeErrorLike | undefined => {
  for (const node of causes(error)) {
    const code = typeof node.code === "string" ? node.code : undefined
    if (code === undefined) continue
    if (PROXY_CONNECT_CODES.has(code) && (node.port === undefined || node.port === proxy.port)) return node
    if (DNS_CODES.has(code) && node.hostname === proxy.host) return node
    if (
      code === "UND_ERR_CONNECT_TIMEOUT" && typeof node.message === "string" &&
      node.message.includes(`${proxy.host}:${proxy.port}`)
    ) return node
  }
  return undefined
}

/**
 * Core's `Classify` recognises a proxy failure by the address and port in the
 * Node error. A proxy given by host name fails with its resolved IP in
 * `address`, which `Classify` cannot match to the name: only then is the
 * original error wrapped in a `ProxyConnectionError` that carries the proxy's
 * name (and keeps the original, with its code, as `cause`).
 */
const proxyCause = (error: unknown, proxy: ProxyInfo): unknown => {
  if (isIp(proxy.host) || proxy.host === "localhost") return error
  for (const node of causes(error)) {
    if (
      typeof node.code === "string" && PROXY_CONNECT_CODES.has(node.code) && node.port === proxy.port &&
      typeof node.address === "string" && node.address !== proxy.host
    ) {
      return new ProxyConnectionError(proxy, { code: node.code, syscall: node.syscall }, error)
    }
  }
  return error
}

const isStale = (error: unknown): boolean => {
  const code = (error as NodeErrorLike | null)?.code
  return typeof code === "string" && STALE_CODES.has(code)
}

const isReplayableBody = (body: HttpBody.HttpBody): boolean => {
  switch (body._tag) {
    case "Empty":
    case "Uint8Array":
    case "FormData":
      return true
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array || body.body instanceof ArrayBuffer
    case "Stream":
      return false
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
 */
class StreamBody implements AsyncIterable<Uint8Array> {
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

const toUndiciBody = (
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

type Resume = (effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>) => void

/** @internal */
export class Exchange implements Dispatcher.DispatchHandler, Tracked {
  state: State = State.Pending
  reused = false
  remoteAddress: string | undefined = undefined
  readonly method: string
  readonly path: string
  private readonly opts: Dispatcher.DispatchOptions
  private dispatcher: Dispatcher
  private proxy: ProxyInfo | undefined
  private abortUndici: ((error?: Error) => void) | undefined = undefined
  private resumeSend: Resume | undefined
  private resumeBody: (() => void) | undefined = undefined
  private paused = false
  private chunks: Array<Uint8Array> = []
  private chunkIndex = 0
  private buffered = 0
  private sink: Sink | undefined = undefined
  /** A pull of `pull()` waiting for the next chunk, or the end. */
  private waiter: (() => void) | undefined = undefined
  private bodyFailure: unknown = undefined
  private readonly streamBody: StreamBody | undefined
  private staleRetried = false
  private fellBack = false

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
    const route = engine.route(url)
    const body = toUndiciBody(request.body)
    this.streamBody = body instanceof StreamBody ? body : undefined
    this.dispatcher = route.dispatcher
    this.proxy = route.proxy
    this.opts = {
      origin: url.origin,
      path: this.path,
      method: request.method as Dispatcher.HttpMethod,
      // undici's ProxyAgent writes `host` into the headers object it is given;
      // a request's headers may be @effect/platform's shared `Headers.empty`,
      // so a proxied request gets its own copy (direct routes only read it)
      headers: route.proxy === undefined ? request.headers : { ...request.headers },
      // undici sends any (async) iterable; its types only list Readable
      body: body as NonNullable<Dispatcher.DispatchOptions["body"]> | null
    }
  }

  /** Starts the exchange; returns the canceler of the send effect. */
  start(): Effect.Effect<void> {
    // called at once when the attempt was cut off already
    this.attempt.onAbort(this.onAbort)
    if (this.state === State.Cancelled) return Effect.void
    this.dispatch()
    return Effect.sync(() => this.cancel(new RequestInterrupted()))
  }

  private dispatch(): void {
    try {
      this.dispatcher.dispatch(this.opts, this)
    } catch (error) {
      // ProxyAgent.dispatch throws (instead of calling onError) on a
      // Proxy-Authorization request header.
      this.onError(error as Error)
    }
  }

  /**
   * The attempt was cut off: a timeout, the deadline, or the caller. (Through
   * `Attempt.onAbort`, which does not build an AbortSignal; the listener
   * cannot be removed, so it checks the state.)
   */
  private readonly onAbort = (reason: Error): void => this.cancel(reason)

  private cancel(reason: unknown): void {
    switch (this.state) {
      case State.Pending:
        this.state = State.Cancelled
        this.streamBody?.stop()
        this.settle(Effect.fail(this.requestError(reason)))
        return
      case State.Sending:
      case State.Body:
        // undici calls onError(reason) and destroys the socket
        this.abortUndici!(reason as Error)
        return
      default:
        return
    }
  }

  private settle(effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>): void {
    const resume = this.resumeSend
    if (resume !== undefined) {
      this.resumeSend = undefined
      resume(effect)
    }
  }

  private requestError(cause: unknown): HttpClientError.RequestError {
    return new HttpClientError.RequestError({ request: this.request, reason: "Transport", cause })
  }

  /** @internal */
  bodyError(response: HttpClientResponse.HttpClientResponse, cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response, reason: "Decode", cause })
  }

  // --- undici's handler API ---------------------------------------------------

  onConnect(abort: (error?: Error) => void): void {
    if (this.state !== State.Pending && this.state !== State.Sending) {
      // Cancelled while queued: make undici drop the request without
      // touching the socket (see the module comment).
      throw new RequestInterrupted()
    }
    this.abortUndici = abort
    this.state = State.Sending
    this.engine.tracker.handOff(this)
    this.attempt.connected(false)
    this.attempt.written()
  }

  onHeaders(statusCode: number, rawHeaders: Array<Buffer>, resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true // 1xx: informational, the real head follows
    if (this.state !== State.Sending) return false
    this.state = State.Body
    this.resumeBody = resume
    this.settle(Effect.succeed(new NodeResponse(this, statusCode, rawHeaders, statusText)))
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.state !== State.Body) return false
    const sink = this.sink
    if (sink !== undefined) {
      if (sink.chunk(chunk)) return true
      this.drop()
      return false
    }
    this.chunks.push(chunk)
    this.buffered += chunk.length
    this.wake()
    if (this.buffered < HIGH_WATER_MARK) return true
    this.paused = true
    return false
  }

  onComplete(): void {
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

  onError(error: Error): void {
    if (
      (error as { code?: unknown }).code === "UND_ERR_RES_EXCEEDED_MAX_SIZE" &&
      this.engine.maxResponseSize !== undefined
    ) {
      // undici's error does not say which limit: core's classifier reads `limit`
      Object.assign(error, { limit: this.engine.maxResponseSize })
    }
    switch (this.state) {
      case State.Pending:
      case State.Sending: {
        if (this.retryStale(error) || this.fallBack(error)) return
        const proxy = this.proxy
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

  /**
   * A reused keep-alive socket that the server had already closed: undici
   * fails the request (client-h1.js fails the head of the pipeline on close
   * and does not retry it; its idle-socket check only catches a FIN that
   * arrived before the write). Send it once more on another connection, when
   * that is safe: nothing of the response arrived, the method is idempotent
   * (or the request has an Idempotency-Key) and the body can be sent again.
   */
  private retryStale(error: Error): boolean {
    if (
      this.state !== State.Sending || !this.reused || this.staleRetried || this.attempt.aborted ||
      !isStale(error) || !isReplayableBody(this.request.body) ||
      !(IDEMPOTENT.has(this.method) || this.request.headers["idempotency-key"] !== undefined)
    ) return false
    this.staleRetried = true
    this.again()
    this.engine.onStaleRetry(this.opts.origin as string)
    return true
  }

  /** The proxy could not be reached at all: go direct, when allowed. */
  private fallBack(error: Error): boolean {
    const proxy = this.proxy
    if (
      proxy === undefined || !this.engine.fallbackToDirect || this.fellBack || this.state !== State.Pending ||
      this.attempt.aborted || proxyConnectFailure(error, proxy) === undefined
    ) return false
    this.fellBack = true
    this.proxy = undefined
    this.dispatcher = this.engine.direct
    this.again()
    this.engine.onFallback(proxy, error)
    return true
  }

  /** Dispatches again, outside undici's own error handling. */
  private again(): void {
    this.state = State.Pending
    this.abortUndici = undefined
    this.reused = false
    queueMicrotask(() => {
      if (this.state === State.Pending) this.dispatch()
    })
  }

  // --- the body -------------------------------------------------------------

  /** `onChunk` said stop: drop the rest of the body and the socket with it. */
  private drop(): void {
    this.state = State.Dropped
    this.chunks = []
    const sink = this.sink
    this.sink = undefined
    this.abortUndici?.(new RequestInterrupted())
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
          this.resumeBody!()
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

  /** Stops delivering to `sink` (its reader was interrupted) and aborts the body. */
  unsubscribe(sink: Sink): void {
    if (this.sink !== sink) return
    this.sink = undefined
    if (this.state === State.Body) this.abortUndici!(new RequestInterrupted())
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
   * or the next to arrive; `Option.none()` at the end. Unlike a sink, it
   * keeps undici's flow control: undici stays paused while
   * `HIGH_WATER_MARK` bytes wait unread, so a slow consumer holds the server
   * back instead of the whole body piling up in memory.
   */
  pull(
    response: HttpClientResponse.HttpClientResponse
  ): Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<HttpClientError.ResponseError>> {
    return Effect.suspend(() => {
      if (this.chunkIndex < this.chunks.length) {
        const taken = this.chunkIndex === 0 ? this.chunks : this.chunks.slice(this.chunkIndex)
        this.chunks = []
        this.chunkIndex = 0
        this.buffered = 0
        if (this.paused && this.state === State.Body) {
          this.paused = false
          this.resumeBody!()
        }
        return Effect.succeed(Chunk.unsafeFromArray(taken))
      }
      switch (this.state) {
        case State.Body:
          return Effect.async<Chunk.Chunk<Uint8Array>, Option.Option<HttpClientError.ResponseError>>((resume) => {
            this.waiter = () => resume(this.pull(response))
            return Effect.sync(() => {
              this.waiter = undefined
            })
          })
        case State.Failed:
          return Effect.fail(Option.some(this.bodyError(response, this.bodyFailure)))
        default:
          return Effect.fail(Option.none())
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
  ): Effect.Effect<void, HttpClientError.ResponseError> {
    return Effect.suspend(() => {
      let result: Effect.Effect<void, HttpClientError.ResponseError> | undefined
      let resume: ((effect: Effect.Effect<void, HttpClientError.ResponseError>) => void) | undefined
      const sink: Sink = {
        chunk: onChunk,
        end: () => {
          if (resume !== undefined) resume(Effect.void)
          else result = Effect.void
        },
        fail: (cause) => {
          const failure = Effect.fail(this.bodyError(response, cause))
          if (resume !== undefined) resume(failure)
          else result = failure
        }
      }
      // subscribe may resume undici, which can deliver the rest of the body
      // (and its end) synchronously: then `result` is already set
      if (!this.subscribe(sink) || result !== undefined) return result!
      return Effect.async<void, HttpClientError.ResponseError>((cb) => {
        if (result !== undefined) return cb(result)
        resume = cb
        return Effect.sync(() => this.unsubscribe(sink))
      })
    })
  }
}

/**
 * The direct transport over a pool.
 *
 * @internal
 */
export const makeTransport = (engine: Engine): Transport.Transport => ({
  tracksConnect: true,
  send: (request, url, attempt) =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) =>
      new Exchange(engine, request, url, attempt, resume).start()
    )
})
