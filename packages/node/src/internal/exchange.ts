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
 * - `Body`: the headers arrived; the send effect succeeded with a response,
 *   and the body (responseBody.ts) takes it from there.
 * - `Failed` (before the headers) / `Cancelled`: final.
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
import type { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import type { HttpClientError, HttpClientRequest, HttpClientResponse } from "@steadfast/core/line/http"
import { type RequestError, requestError, type ResponseError, responseError } from "@steadfast/core/line/platformError"
import type * as net from "node:net"
import type { Dispatcher } from "undici"
import { type Assignable, type Connection, type ConnectionPool } from "./connections.js"
import { withAcceptEncoding } from "./decode.js"
import { proxyCause } from "./proxyCause.js"
import { RequestInterrupted, StreamBody, toUndiciBody } from "./requestBody.js"
import { NodeResponse } from "./response.js"
import { type Owner, ResponseBody } from "./responseBody.js"
import { DispatchOptions, type Engine, type Route } from "./route.js"

/** Where an exchange is (see the module comment). */
type State = 0 | 1 | 2 | 3 | 4
const State = {
  Pending: 0,
  Sending: 1,
  Body: 2,
  Failed: 3,
  Cancelled: 4
} as const

type Resume = (effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>) => void

/** An HTTP/2 connection carries other requests: an exchange that ends early resets its stream, never the socket. */
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
export class Exchange implements Dispatcher.DispatchHandler, Assignable, Owner {
  state: State = State.Pending
  readonly method: string
  readonly path: string
  private readonly opts: DispatchOptions
  private readonly route: Route
  private connection: Connection | undefined = undefined
  private socket: net.Socket | undefined = undefined
  private writtenBefore = 0
  /** The pool whose queue it waits in, while it does. */
  private queue: ConnectionPool | undefined = undefined
  private controller: Dispatcher.DispatchController | undefined = undefined
  private resumeSend: Resume | undefined
  /** The response's body, once the headers arrived (state `Body`). */
  private body: ResponseBody | undefined = undefined
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
    this.opts = new DispatchOptions(
      url.origin,
      this.path,
      request.method as Dispatcher.HttpMethod,
      // undici's ProxyAgent writes `host` into the headers object it is given;
      // a request's headers may be @effect/platform's shared `Headers.empty`,
      // so a proxied request gets its own copy (direct routes only read it)
      // compressed bodies are asked for unless the request says what it accepts (decode.ts)
      attempt.decompress && request.headers["accept-encoding"] === undefined
        ? withAcceptEncoding(request.headers)
        : route.proxy === undefined
        ? request.headers
        : { ...request.headers },
      // undici sends any (async) iterable; its types only list Readable
      body as NonNullable<Dispatcher.DispatchOptions["body"]> | null,
      this
    )
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

  get abortsOnInterrupt(): boolean {
    return this.attempt.abortsOnInterrupt === true
  }

  /** Whether the response's body is still arriving. */
  private get receiving(): boolean {
    return this.state === State.Body && this.body!.isOpen
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
      this.route.dispatcher.dispatch(this.opts as Dispatcher.DispatchOptions, this)
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
              origin: this.opts.origin,
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
        this.cut(reason as Error)
        return
      case State.Body:
        if (this.body!.isOpen) this.cut(reason as Error)
        return
      default:
        return
    }
  }

  /**
   * Ends the exchange on its connection: settles it at once with `reason`,
   * then destroys the socket (see the module comment).
   */
  cut(reason: Error): void {
    const socket = this.ownSocket
    if (socket === undefined) {
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
        this.attempt.onAbort(undefined)
        this.streamBody?.stop()
        this.settle(Effect.fail(this.requestError(proxy === undefined ? error : proxyCause(error, proxy))))
        return
      }
      case State.Body:
        this.streamBody?.stop()
        this.body!.fail(error)
        return
      default:
        // cancelled while queued
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
    const body = new ResponseBody(this, controller)
    this.body = body
    this.settle(Effect.succeed(new NodeResponse(this, body, statusCode, headers, statusText ?? "")))
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.state === State.Body) this.body!.data(chunk)
  }

  onResponseEnd(): void {
    if (!this.receiving) return
    // a response that ended before the request body was sent (undici then
    // destroys the socket): the body's stream is read no more
    this.streamBody?.stop()
    // nothing left to cut off: a failed attempt (a 503 read to its end, say)
    // then ends without core building an abort reason for this exchange
    // (before the body's end, which may resume its reader at once)
    this.attempt.onAbort(undefined)
    this.body!.end()
    // undici's controller holds the response's raw headers: an exchange still
    // referenced (by its response, say) would keep them through every minor GC
    this.controller = undefined
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (
      (error as { code?: unknown }).code === "UND_ERR_RES_EXCEEDED_MAX_SIZE" &&
      this.engine.maxResponseSize !== undefined
    ) {
      // undici's error does not say which limit: core's classifier reads `limit`
      Object.assign(error, { limit: this.engine.maxResponseSize })
    }
    if (this.state === State.Sending || this.receiving) this.report()
    // a fact for core's decide: the server did not process the request
    if (this.state === State.Sending && isRefusedStream(error)) this.attempt.unprocessed()
    this.fail(error)
  }

  /** The body's reader stopped before the end: the rest is dropped with the socket (see the module comment). */
  drop(): void {
    const socket = this.ownSocket
    if (socket !== undefined) socket.destroy(new RequestInterrupted())
    else this.controller?.abort(new RequestInterrupted())
  }

  /** The socket, when this exchange may destroy it to end itself: open, carrying only this request. */
  private get ownSocket(): net.Socket | undefined {
    const socket = this.socket
    return socket === undefined || socket.destroyed || this.engine.pipelining > 1 || isH2(socket) ? undefined : socket
  }
}
