/**
 * The contract between the resilient client and whatever moves bytes.
 *
 * Any `@effect/platform` `HttpClient` can be a transport
 * ({@link fromHttpClient}). Transports that want the fast path — no fiber
 * forked per request — implement {@link Transport} themselves and attach it to
 * the `HttpClient` they provide under {@link TransportTypeId}; the node and
 * testkit packages do so. Users seldom touch this module.
 *
 * @since 0.1.0
 */
import type * as Effect from "#line/Effect"
import type { HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "#line/http"
import type { ResponseError } from "#line/platformError"
import * as platform from "./internal/platform.js"
import * as internal from "./internal/transport.js"
import * as facts from "./internal/transportFacts.js"

/**
 * How far an attempt got, in the order a request travels:
 *
 * - `"queued"`: waiting for a free connection of a full pool;
 * - `"connecting"`: a connection is being opened for it (DNS, TCP, TLS);
 * - `"connected"`: on a connection, nothing of it written yet;
 * - `"written"`: its bytes started to go out: from here on it may have
 *   reached the server;
 * - `"headers"`: the response headers arrived;
 * - `"body"`: the body is being read.
 *
 * A failure before `"written"` proves the request never reached the server,
 * whatever its method.
 *
 * @since 0.1.0
 */
export type Phase = facts.Phase

/**
 * Every phase, in order.
 *
 * @since 0.1.0
 */
export const phases: ReadonlyArray<Phase> = facts.phases

/**
 * The proxy an attempt went through, as the transport reports it.
 *
 * @since 0.1.0
 */
export interface ProxyRoute extends facts.ProxyRoute {}

/**
 * The state of the pool an attempt waited in, reported when it was cut off
 * while queued (for `PoolTimeout`).
 *
 * @since 0.1.0
 */
export interface PoolState extends facts.PoolState {}

/**
 * What one attempt reported about itself: facts only, no judgement. The
 * client turns them into an error (`Classify`) and into a decision (re-send,
 * retry, give up) in one place; a transport never decides.
 *
 * @since 0.1.0
 */
export interface Facts extends facts.Facts {}

/**
 * What a transport learns about, and reports to, the attempt it serves.
 *
 * The reporting methods are cheap (no allocation) and must be called as
 * methods (`attempt.written()`), in phase order; a report of an earlier
 * phase than the current one is ignored.
 *
 * @since 0.1.0
 */
export interface Attempt {
  /**
   * Aborted when the client cuts the attempt off: a timeout, the deadline, or
   * interruption of the caller. A transport must then stop promptly and free
   * its socket (and open none on the attempt's behalf); `signal.reason` says
   * why (see {@link abortReasonTag}). The signal is created on first access:
   * a transport that can use {@link Attempt.onAbort} instead saves that cost.
   */
  readonly signal: AbortSignal
  /** Whether the attempt was cut off already. */
  readonly aborted: boolean
  /**
   * The cheap alternative to `signal`: `listener` is called once, with the
   * reason, when the attempt is cut off (at once if it already was). One
   * listener per attempt; a later call replaces it, and `undefined` removes
   * it: a transport that let go of the attempt (its response is over) says
   * so, and the client then builds no reason for it when the attempt ends.
   */
  onAbort(listener: ((reason: Error) => void) | undefined): void
  /**
   * True when the client aborts this attempt (see {@link Attempt.signal})
   * whenever its caller is interrupted while a send or a body read of the
   * attempt runs, as steadfast's client does. A transport may then leave out
   * an interruption handler of its own (`Effect.async` with a canceler runs
   * each wait in an uninterruptible region: several allocations per
   * request); otherwise it must handle interruption itself.
   * @default false
   */
  readonly abortsOnInterrupt?: boolean | undefined
  /**
   * The connect timeout of this attempt in milliseconds (`Infinity` when
   * off). The client enforces it while the attempt is `"connecting"`; a
   * transport may also pass it to its own connector.
   */
  readonly connectTimeoutMs: number
  /**
   * The client decided earlier in this call that the proxy cannot be
   * reached (a proxy fallback): send this attempt directly.
   */
  readonly bypassProxy: boolean
  /**
   * Header names (lower case) this client treats as secret besides the
   * built-in ones (`Redact.isSensitiveHeader`): its
   * `redirects.sensitiveHeaders` and the names of its credentials. A
   * transport that records, logs or prints request headers redacts these
   * too (`Redact.headers(headers, attempt.sensitiveHeaders)`).
   */
  readonly sensitiveHeaders?: ReadonlySet<string> | undefined
  /**
   * The client wants compressed bodies decoded (its `decompress` option): a
   * transport that can decode sends `Accept-Encoding` (unless the request
   * has one) and hands over decoded bytes, without the `Content-Encoding`
   * and `Content-Length` headers. When false it adds nothing and hands the
   * body over as it came. Transports that cannot choose (fetch decodes on
   * its own) ignore it.
   */
  readonly decompress: boolean
  /** The attempt waits for a free connection of a full pool (the pool timeout runs). */
  queued(): void
  /** A connection is being opened for the attempt (the connect timeout runs). */
  connecting(): void
  /**
   * The attempt is on a connection, nothing written yet (the response
   * timeout starts); `reusedSocket` when the connection carried a request
   * before.
   */
  connected(reusedSocket: boolean): void
  /**
   * The request's bytes start to go out: from now on it may have reached the
   * server. Call it before the first byte is written.
   */
  written(): void
  /** Request bytes written so far (for transports that count them; any time before the attempt ends). */
  bytesWritten(bytes: number): void
  /** The attempt goes through `proxy` (report it before it can fail). */
  proxy(route: ProxyRoute): void
  /** The pool's state, when the attempt is cut off while queued. */
  pool(state: PoolState): void
  /**
   * The server said it did not process the request (an HTTP/2
   * `REFUSED_STREAM`: RFC 9113 §8.7): report it before failing the attempt.
   */
  unprocessed(): void
}

/**
 * Sends one request (one hop: no redirects, no retries) and resolves at the
 * response headers. Failures are platform `HttpClientError`s whose `cause`
 * keeps the Node / undici error, so the client can classify them.
 *
 * @since 0.1.0
 */
export interface Transport {
  /**
   * True when the transport reports the phases of an attempt
   * ({@link Attempt.connected}, {@link Attempt.written}, and `queued` /
   * `connecting` when it can tell). Only then does the client run separate
   * pool and connect timeouts and know whether a request was written;
   * otherwise the response timeout covers connecting too and a failure is
   * taken to have possibly reached the server.
   */
  readonly tracksConnect: boolean
  readonly send: (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    attempt: Attempt
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
  /**
   * Told when the client decided to send a request to `url` again at once
   * (`"stale-socket"`, `"proxy-fallback"`, `"refused-stream"`), for a transport's own metrics.
   * The decision is the client's; a transport only observes it.
   */
  readonly onResend?: ((reason: "stale-socket" | "proxy-fallback" | "refused-stream", url: URL) => void) | undefined
}

/**
 * The key under which a platform `HttpClient` carries its direct
 * {@link Transport}.
 *
 * @since 0.1.0
 */
export const TransportTypeId: unique symbol = internal.TransportTypeId

/**
 * @since 0.1.0
 */
export type TransportTypeId = typeof TransportTypeId

/**
 * The key under which a response offers a direct body reader
 * ({@link BodyReader}); without one the client reads `response.stream`.
 *
 * @since 0.1.0
 */
export const BodyReaderTypeId: unique symbol = internal.BodyReaderTypeId

/**
 * @since 0.1.0
 */
export type BodyReaderTypeId = typeof BodyReaderTypeId

/**
 * Reads a response body chunk by chunk. `onChunk` returns `false` to stop
 * (the size limit was passed): the reader then drops the rest of the body and
 * succeeds. It fails with a `ResponseError` whose `cause` keeps the socket error.
 *
 * @since 0.1.0
 */
export interface BodyReader {
  // The client calls it when it starts the read, and runs the Effect at
  // once: a reader may start reading when called, and return an `Exit` when
  // the body was over already (the client then takes it without a step).
  readonly [BodyReaderTypeId]: (
    onChunk: (chunk: Uint8Array) => boolean
  ) => Effect.Effect<void, ResponseError>
}

/**
 * Turns any platform `HttpClient` into a {@link Transport}. When the client
 * carries a direct transport (the node and testkit clients do) that one is
 * used; otherwise each attempt runs in a child fiber that is interrupted when
 * the attempt is cut off — correct for every client, at the cost of one fork
 * per attempt.
 *
 * @since 0.1.0
 */
export const fromHttpClient: (client: HttpClient.HttpClient) => Transport = internal.fromHttpClient

/**
 * Attaches a direct {@link Transport} to a platform `HttpClient`, so a
 * resilient client built over it takes the fast path.
 *
 * @since 0.1.0
 */
export const withTransport: (client: HttpClient.HttpClient, transport: Transport) => HttpClient.HttpClient =
  internal.withTransport

/**
 * When the client aborted an attempt's signal, the `_tag` of the error it
 * stands for (`"PoolTimeout"`, `"ConnectTimeout"`, `"ResponseTimeout"`,
 * `"BodyTimeout"`, `"DeadlineExceeded"`, or `"Interrupted"` when the caller was interrupted).
 *
 * @since 0.1.0
 */
export const abortReasonTag: (signal: AbortSignal) => string | undefined = internal.abortReasonTag

/**
 * The reason the client puts on an attempt's signal when it cuts the attempt
 * off for `tag` — for transports and tests that abort an attempt the way the
 * client does (`controller.abort(Transport.abortReason("ResponseTimeout"))`).
 *
 * @since 0.1.0
 */
export const abortReason: (tag: string) => Error = internal.abortReason

/**
 * An {@link Attempt} over an `AbortSignal` you own: for platform adapters
 * that receive only a signal (`HttpClient.make`'s callback), and for tests
 * that drive a transport by hand. Its phase reports go to `options.report`
 * (and `options.connected` hears `connected()`), when given.
 *
 * @example
 * ```ts
 * import { Transport } from "@steadfast/core"
 *
 * const controller = new AbortController()
 * const attempt = Transport.attemptFromSignal(controller.signal, { report: (phase) => console.log(phase) })
 * ```
 *
 * @since 0.1.0
 */
export const attemptFromSignal = (
  signal: AbortSignal,
  options?: {
    readonly connectTimeoutMs?: number | undefined
    /** See {@link Attempt.decompress}. @default false */
    readonly decompress?: boolean | undefined
    readonly report?: ((phase: Phase) => void) | undefined
    readonly connected?: (() => void) | undefined
  }
): Attempt => {
  const report = options?.report
  const connected = options?.connected
  // one listener at a time (`onAbort` replaces it, `undefined` removes it), told once
  let listener: ((reason: Error) => void) | undefined = undefined
  let listening = false
  const tell = () => {
    const told = listener
    listener = undefined
    told?.(signal.reason)
  }
  return {
    signal,
    connectTimeoutMs: options?.connectTimeoutMs ?? Infinity,
    bypassProxy: false,
    decompress: options?.decompress ?? false,
    get aborted() {
      return signal.aborted
    },
    onAbort: (next) => {
      listener = next
      if (next === undefined) return
      if (signal.aborted) tell()
      else if (!listening) {
        listening = true
        signal.addEventListener("abort", tell, { once: true })
      }
    },
    queued: () => report?.("queued"),
    connecting: () => report?.("connecting"),
    connected: () => {
      report?.("connected")
      connected?.()
    },
    written: () => report?.("written"),
    bytesWritten: () => {},
    proxy: () => {},
    pool: () => {},
    unprocessed: () => {}
  }
}

/**
 * Makes the failures of a send safe to log: a platform `RequestError`
 * (and any `ResponseError` from reading the response's body) gets a request
 * with a redacted url and headers and no body, a response view with
 * redacted headers, a redacted description and a summarised `cause` (name,
 * code, syscall, address, port, a redacted message). For a platform
 * `HttpClient` handed to users, whose errors would otherwise quote
 * `user:password@` and token parameters; the node layer's client uses it.
 *
 * @since 0.1.0
 */
export const redactFailures: <R>(
  send: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R> = platform.safeFailures

/**
 * A platform `HttpClient` over a transport's `send` that keeps no secret:
 * failures go through {@link redactFailures}, and the request span (the
 * platform's `http.client METHOD`, same attributes) carries a redacted
 * `url.full`, `url.query` and header values. `HttpClient.withTracerDisabledWhen`
 * and trace propagation work as on the platform's own clients.
 *
 * @since 0.1.0
 */
export const makeRedactedHttpClient: (
  send: (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    signal: AbortSignal
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
) => HttpClient.HttpClient = platform.makeHttpClient
