/**
 * The error taxonomy: one tagged class per way an HTTP call can fail.
 *
 * Every error carries the request (method and url, secrets redacted), the
 * number of attempts made, the attempt history and the original `cause`, and
 * renders a `message` that says what happened, to which request, and how to fix
 * it. The `_tag`s are a contract: match on them with `Effect.catchTag`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Errors } from "@steadfast/core"
 *
 * const fallback = (e: Errors.HttpError) =>
 *   Errors.isConnectionError(e) ? Effect.succeed("offline") : Effect.fail(e)
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "#line/Schema"
import * as Predicate from "effect/Predicate"
import {
  ConnectionRefused,
  ConnectionReset,
  DnsError,
  NetworkUnreachable,
  ProxyError,
  TlsError,
  TransportError
} from "./errors/connection.js"
import { BulkheadRejected, CircuitOpen, RateLimited } from "./errors/policy.js"
import { InvalidRequest, InvalidUrl } from "./errors/request.js"
import { BodyTooLarge, DecodeError, RedirectBlocked, StatusError, TooManyRedirects } from "./errors/response.js"
import { BodyTimeout, ConnectTimeout, DeadlineExceeded, PoolTimeout, ResponseTimeout } from "./errors/timeout.js"
import { TaggedError } from "./internal/taggedError.js"

/**
 * What every error records: `RequestInfo`, `AttemptRecord` (its history),
 * `AttemptPhase` and `Decision`.
 *
 * @since 0.1.0
 */
export * from "./errors/record.js"

/**
 * The connection family: `DnsError`, `ConnectionRefused`,
 * `ConnectionReset`, `NetworkUnreachable`, `TlsError`, `ProxyError`,
 * `TransportError`.
 *
 * @since 0.1.0
 */
export * from "./errors/connection.js"

/**
 * The timeout family: `PoolTimeout`, `ConnectTimeout`, `ResponseTimeout`,
 * `BodyTimeout`, `DeadlineExceeded`.
 *
 * @since 0.1.0
 */
export * from "./errors/timeout.js"

/**
 * Answers that are not a success: `StatusError`, `TooManyRedirects`,
 * `RedirectBlocked`, `BodyTooLarge`, `DecodeError`.
 *
 * @since 0.1.0
 */
export * from "./errors/response.js"

/**
 * Requests that cannot be sent: `InvalidUrl`, `InvalidRequest`.
 *
 * @since 0.1.0
 */
export * from "./errors/request.js"

/**
 * Calls a policy stopped: `RateLimited`, `CircuitOpen`, `BulkheadRejected`.
 *
 * @since 0.1.0
 */
export * from "./errors/policy.js"

/**
 * Failures of the connection itself, before or during the exchange.
 *
 * @since 0.1.0
 */
export type ConnectionError =
  | DnsError
  | ConnectionRefused
  | ConnectionReset
  | NetworkUnreachable
  | TlsError
  | ProxyError
  | TransportError

/**
 * Time limits that ran out.
 *
 * @since 0.1.0
 */
export type TimeoutError = PoolTimeout | ConnectTimeout | ResponseTimeout | BodyTimeout | DeadlineExceeded

/**
 * Every failure the client can produce.
 *
 * @since 0.1.0
 */
export type HttpError =
  | ConnectionError
  | TimeoutError
  | StatusError
  | TooManyRedirects
  | RedirectBlocked
  | BodyTooLarge
  | InvalidUrl
  | InvalidRequest
  | DecodeError
  | RateLimited
  | CircuitOpen
  | BulkheadRejected

/**
 * The `_tag` of every error.
 *
 * @since 0.1.0
 */
export type Tag = HttpError["_tag"]

const connectionTags: ReadonlySet<string> = new Set<ConnectionError["_tag"]>([
  "DnsError",
  "ConnectionRefused",
  "ConnectionReset",
  "NetworkUnreachable",
  "TlsError",
  "ProxyError",
  "TransportError"
])
const timeoutTags: ReadonlySet<string> = new Set<TimeoutError["_tag"]>([
  "PoolTimeout",
  "ConnectTimeout",
  "ResponseTimeout",
  "BodyTimeout",
  "DeadlineExceeded"
])

/**
 * Every `_tag`, in the order of the taxonomy.
 *
 * @since 0.1.0
 */
export const tags: ReadonlyArray<Tag> = [
  ...connectionTags as ReadonlySet<ConnectionError["_tag"]>,
  ...timeoutTags as ReadonlySet<TimeoutError["_tag"]>,
  "StatusError",
  "TooManyRedirects",
  "RedirectBlocked",
  "BodyTooLarge",
  "InvalidUrl",
  "InvalidRequest",
  "DecodeError",
  "RateLimited",
  "CircuitOpen",
  "BulkheadRejected"
]
const allTags: ReadonlySet<string> = new Set(tags)

const tagOf = (u: unknown): string | undefined =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" ? u._tag : undefined

/**
 * True for any steadfast error.
 *
 * @since 0.1.0
 */
export const isHttpError = (u: unknown): u is HttpError => allTags.has(tagOf(u) ?? "")

/**
 * True for the connection family (DNS, refused, reset, unreachable, TLS, proxy, transport).
 *
 * @since 0.1.0
 */
export const isConnectionError = (u: unknown): u is ConnectionError => connectionTags.has(tagOf(u) ?? "")

/**
 * True for the timeout family (pool, connect, response, body idle, deadline).
 *
 * @since 0.1.0
 */
export const isTimeoutError = (u: unknown): u is TimeoutError => timeoutTags.has(tagOf(u) ?? "")

const guard = <T extends HttpError>(tag: T["_tag"]) => (u: unknown): u is T => tagOf(u) === tag

/** @since 0.1.0 */
export const isDnsError: (u: unknown) => u is DnsError = guard("DnsError")
/** @since 0.1.0 */
export const isConnectionRefused: (u: unknown) => u is ConnectionRefused = guard("ConnectionRefused")
/** @since 0.1.0 */
export const isConnectionReset: (u: unknown) => u is ConnectionReset = guard("ConnectionReset")
/** @since 0.1.0 */
export const isNetworkUnreachable: (u: unknown) => u is NetworkUnreachable = guard("NetworkUnreachable")
/** @since 0.1.0 */
export const isTlsError: (u: unknown) => u is TlsError = guard("TlsError")
/** @since 0.1.0 */
export const isProxyError: (u: unknown) => u is ProxyError = guard("ProxyError")
/** @since 0.1.0 */
export const isTransportError: (u: unknown) => u is TransportError = guard("TransportError")
/** @since 0.1.0 */
export const isPoolTimeout: (u: unknown) => u is PoolTimeout = guard("PoolTimeout")
/** @since 0.1.0 */
export const isConnectTimeout: (u: unknown) => u is ConnectTimeout = guard("ConnectTimeout")
/** @since 0.1.0 */
export const isResponseTimeout: (u: unknown) => u is ResponseTimeout = guard("ResponseTimeout")
/** @since 0.1.0 */
export const isBodyTimeout: (u: unknown) => u is BodyTimeout = guard("BodyTimeout")
/** @since 0.1.0 */
export const isDeadlineExceeded: (u: unknown) => u is DeadlineExceeded = guard("DeadlineExceeded")
/** @since 0.1.0 */
export const isStatusError: (u: unknown) => u is StatusError = guard("StatusError")
/** @since 0.1.0 */
export const isTooManyRedirects: (u: unknown) => u is TooManyRedirects = guard("TooManyRedirects")
/** @since 0.1.0 */
export const isRedirectBlocked: (u: unknown) => u is RedirectBlocked = guard("RedirectBlocked")
/** @since 0.1.0 */
export const isBodyTooLarge: (u: unknown) => u is BodyTooLarge = guard("BodyTooLarge")
/** @since 0.1.0 */
export const isInvalidUrl: (u: unknown) => u is InvalidUrl = guard("InvalidUrl")
/** @since 0.1.0 */
export const isInvalidRequest: (u: unknown) => u is InvalidRequest = guard("InvalidRequest")
/** @since 0.1.0 */
export const isDecodeError: (u: unknown) => u is DecodeError = guard("DecodeError")
/** @since 0.1.0 */
export const isRateLimited: (u: unknown) => u is RateLimited = guard("RateLimited")
/** @since 0.1.0 */
export const isCircuitOpen: (u: unknown) => u is CircuitOpen = guard("CircuitOpen")
/** @since 0.1.0 */
export const isBulkheadRejected: (u: unknown) => u is BulkheadRejected = guard("BulkheadRejected")

/**
 * Whether the request may have reached the server before it failed. False
 * means it provably did not (DNS, refused, unreachable, pool or connect
 * timeout, TLS, proxy, or a reset before any byte was written), so even a
 * POST can be retried safely. (The client also knows how far each attempt
 * got: see `AttemptRecord.phase`.)
 *
 * @since 0.1.0
 */
export const mayHaveReachedServer = (error: HttpError): boolean => {
  switch (error._tag) {
    case "DnsError":
    case "ConnectionRefused":
    case "NetworkUnreachable":
    case "TlsError":
    case "ProxyError":
    case "PoolTimeout":
    case "ConnectTimeout":
    case "InvalidUrl":
    case "InvalidRequest":
    case "RateLimited":
    case "CircuitOpen":
    case "BulkheadRejected":
      return false
    case "ConnectionReset":
      return error.requestSent
    case "TransportError":
      return error.requestSent !== false
    default:
      return true
  }
}

/**
 * An option of a client (or of a layer that builds one) that cannot be
 * used: NaN, negative, infinite where a finite value is needed, a duration
 * that does not decode, a base url that is not an http(s) url. Building the
 * client fails with it (`Client.layer`, `Client.make`, `NodeClient.layer`),
 * so no limit is ever silently off. Not an {@link HttpError}: no request is
 * involved. `value` is rendered (and redacted); `expected` says what is
 * allowed.
 *
 * @since 0.1.0
 */
export class InvalidOptions extends TaggedError<InvalidOptions>()("InvalidOptions", {
  option: Schema.String,
  value: Schema.String,
  expected: Schema.String
}) {
  override get message(): string {
    return `steadfast: invalid option \`${this.option}\`: ${this.value}; expected ${this.expected}.`
  }
}

/** @since 0.1.0 */
export const isInvalidOptions = (u: unknown): u is InvalidOptions => tagOf(u) === "InvalidOptions"

/**
 * Why the client did not retry `error`, and how to change that, in one
 * clause — from the decision recorded last in its `history` — or
 * `undefined` when there is nothing to explain: the error is not worth
 * retrying by its kind (a 404, a TLS failure), the retries ran out (the
 * message says after how many attempts), or the deadline passed (its own
 * message says so). Every error's `message` ends with it.
 *
 * @example
 * ```ts
 * import { Errors } from "@steadfast/core"
 *
 * const why = (error: Errors.HttpError) => Errors.notRetried(error)
 * // e.g. "not retried: POST may have reached the server; add an Idempotency-Key header or set retry.retryNonIdempotent"
 * ```
 *
 * @since 0.1.0
 */
export const notRetried = (error: HttpError): string | undefined => {
  const last = error.history[error.history.length - 1]
  if (last === undefined || last.decision !== "give-up") return undefined
  switch (last.reason) {
    case "not-idempotent":
      return `not retried: ${error.request.method} may have reached the server; ` +
        "add an Idempotency-Key header or set retry.retryNonIdempotent"
    case "body-sent":
      return "not retried: the request body was a stream that was already sent and cannot be sent twice; " +
        "send it as bytes or text to allow retries"
    case "retries":
      return error.history.some((h) => h.decision === "retry")
        ? undefined
        : "not retried: retries are off (retry.retries is 0); raise retry.retries to retry it"
    case "schedule":
      return "not retried: the retry schedule ended; change retry.schedule to retry longer"
    case "retry-after":
      return "not retried: the server's Retry-After is longer than retry.retryAfterMax; raise it to wait that long"
    case "retry-after-deadline":
      return "not retried: the server's Retry-After would end past the deadline; raise timeouts.deadline to wait"
    case "max-elapsed":
      return "not retried: the next retry would start after retry.maxElapsed; raise it to retry longer"
    case "budget":
      return "not retried: the retry budget is spent (too many retries lately); raise the budget or wait"
    case "browser-refused":
      return "not retried: the browser refused it (CORS or mixed content) and would refuse it again; " +
        "fix the server's CORS headers or the url's scheme"
    default:
      return undefined
  }
}

// The clause is added to every message here, in one place, rather than in
// each class's `message` getter.
for (
  const ErrorClass of [
    DnsError,
    ConnectionRefused,
    ConnectionReset,
    NetworkUnreachable,
    TlsError,
    ProxyError,
    TransportError,
    PoolTimeout,
    ConnectTimeout,
    ResponseTimeout,
    BodyTimeout,
    DeadlineExceeded,
    StatusError,
    TooManyRedirects,
    RedirectBlocked,
    BodyTooLarge,
    InvalidUrl,
    InvalidRequest,
    DecodeError,
    RateLimited,
    CircuitOpen,
    BulkheadRejected
  ]
) {
  const proto = ErrorClass.prototype as object
  const own = Object.getOwnPropertyDescriptor(proto, "message")?.get
  if (own === undefined) continue
  Object.defineProperty(proto, "message", {
    configurable: true,
    get(this: HttpError) {
      const base: string = own.call(this)
      const clause = notRetried(this)
      return clause === undefined ? base : `${base} ${clause.charAt(0).toUpperCase()}${clause.slice(1)}.`
    }
  })
}
