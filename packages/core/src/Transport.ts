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
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Effect from "effect/Effect"
import * as platform from "./internal/platform.js"
import * as internal from "./internal/transport.js"

/**
 * What a transport learns about, and reports to, the attempt it serves.
 *
 * @since 0.1.0
 */
export interface Attempt {
  /**
   * Aborted when the client cuts the attempt off: a timeout, the deadline, or
   * interruption of the caller. A transport must then stop promptly and free
   * its socket; `signal.reason` says why (see {@link abortReasonTag}). The
   * signal is created on first access: a transport that can use
   * {@link Attempt.onAbort} instead saves that cost.
   */
  readonly signal: AbortSignal
  /** Whether the attempt was cut off already. */
  readonly aborted: boolean
  /**
   * The cheap alternative to `signal`: `listener` is called once, with the
   * reason, when the attempt is cut off (at once if it already was). One
   * listener per attempt; a later call replaces it.
   */
  readonly onAbort: (listener: (reason: Error) => void) => void
  /**
   * The connect timeout of this attempt in milliseconds (`Infinity` when
   * off). The client enforces it until {@link Attempt.connected} is called;
   * a transport may also pass it to its own connector.
   */
  readonly connectTimeoutMs: number
  /**
   * Call once the request is on a connection and its bytes start to go out.
   * Before the call the connect timeout runs, after it the response timeout,
   * and a failure before it proves the request never reached the server (so
   * even a POST may be retried). Transports that cannot tell never call it.
   */
  readonly connected: () => void
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
   * True when the transport calls {@link Attempt.connected}. Only then does the
   * client run a separate connect timeout; otherwise the response timeout
   * covers connecting too.
   */
  readonly tracksConnect: boolean
  readonly send: (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    attempt: Attempt
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
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
  readonly [BodyReaderTypeId]: (
    onChunk: (chunk: Uint8Array) => boolean
  ) => Effect.Effect<void, HttpClientError.ResponseError>
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
 * stands for (`"ConnectTimeout"`, `"ResponseTimeout"`, `"BodyTimeout"`,
 * `"DeadlineExceeded"`, or `"Interrupted"` when the caller was interrupted).
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
 * that drive a transport by hand.
 *
 * @example
 * ```ts
 * import { Transport } from "@steadfast/core"
 *
 * const controller = new AbortController()
 * const attempt = Transport.attemptFromSignal(controller.signal, { connected: () => console.log("connected") })
 * ```
 *
 * @since 0.1.0
 */
export const attemptFromSignal = (
  signal: AbortSignal,
  options?: { readonly connectTimeoutMs?: number | undefined; readonly connected?: (() => void) | undefined }
): Attempt => ({
  signal,
  connectTimeoutMs: options?.connectTimeoutMs ?? Infinity,
  connected: options?.connected ?? (() => {}),
  get aborted() {
    return signal.aborted
  },
  onAbort: (listener) => {
    if (signal.aborted) listener(signal.reason)
    else signal.addEventListener("abort", () => listener(signal.reason), { once: true })
  }
})

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
