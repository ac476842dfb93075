/**
 * The fault vocabulary: what a simulated or real server does to one attempt.
 *
 * Faults are plain data, so one scenario runs in memory (SimulatedNetwork)
 * and on real sockets (FaultServer) alike. They compose: `Fault.latency("2 seconds", Reply.json(200, {}))`
 * answers after two seconds; `Fault.resetMidBody(10, Reply.text(200, "…"))`
 * sends ten bytes of that body and resets.
 *
 * @example
 * ```ts
 * import { Fault, Reply } from "@steadfast/testkit"
 *
 * const steps = [Fault.reset(), Fault.status(503, { retryAfter: 2 }), Reply.json(200, { ok: true })]
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "@steadfast/core/line/Duration"

/**
 * A complete HTTP response. `body` is raw bytes; `Reply.json` and
 * `Reply.text` set `content-type` for you.
 *
 * @since 0.1.0
 */
export interface Reply {
  readonly _tag: "Reply"
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/**
 * A response that echoes the request it received as JSON:
 * `{ method, url, headers, body }` (body as text). Useful to check which
 * headers survive a cross-origin redirect.
 *
 * @since 0.1.0
 */
export interface Echo {
  readonly _tag: "Echo"
  readonly status: number
}

/**
 * A redirect to `location`. `origin` picks where a path-only location points:
 * `"same"` (the origin that answered), `"secondary"` (a second origin: another
 * host in memory, another listener on sockets) or `"insecure"` (the plain-http
 * origin, to test https → http downgrades). An absolute `location` is used as is.
 *
 * @since 0.1.0
 */
export interface Redirect {
  readonly _tag: "Redirect"
  readonly status: 301 | 302 | 303 | 307 | 308
  readonly location: string
  readonly origin: "same" | "secondary" | "insecure"
}

/**
 * Name resolution fails: `ENOTFOUND` (permanent) or `EAI_AGAIN` (temporary).
 *
 * @since 0.1.0
 */
export interface DnsFailure {
  readonly _tag: "DnsFailure"
  readonly temporary: boolean
}

/**
 * Nothing listens: `ECONNREFUSED`.
 *
 * @since 0.1.0
 */
export interface Refused {
  readonly _tag: "Refused"
}

/**
 * The network is unreachable: `ENETUNREACH` in memory, `EADDRNOTAVAIL` on sockets.
 *
 * @since 0.1.0
 */
export interface Unreachable {
  readonly _tag: "Unreachable"
}

/**
 * The TLS connection fails for `reason`.
 *
 * @since 0.1.0
 */
export interface TlsFailure {
  readonly _tag: "TlsFailure"
  readonly reason: "self-signed" | "expired" | "hostname-mismatch" | "handshake"
}

/**
 * The server resets the connection (RST) after reading the request, before
 * any response byte.
 *
 * @since 0.1.0
 */
export interface ResetBeforeResponse {
  readonly _tag: "ResetBeforeResponse"
}

/**
 * The server closes the connection cleanly (FIN) before any response byte.
 *
 * @since 0.1.0
 */
export interface CloseBeforeResponse {
  readonly _tag: "CloseBeforeResponse"
}

/**
 * The server sends the status line, headers and `afterBytes` bytes of
 * `reply`'s body, then resets the connection (RST).
 *
 * @since 0.1.0
 */
export interface ResetMidBody {
  readonly _tag: "ResetMidBody"
  readonly afterBytes: number
  readonly reply: Reply
}

/**
 * The server promises `reply`'s full length, sends `afterBytes` bytes of the
 * body, then closes cleanly (FIN): a truncated body.
 *
 * @since 0.1.0
 */
export interface Truncated {
  readonly _tag: "Truncated"
  readonly afterBytes: number
  readonly reply: Reply
}

/**
 * Connecting takes `delay`, then `then` happens.
 *
 * @since 0.1.0
 */
export interface ConnectLatency {
  readonly _tag: "ConnectLatency"
  readonly delay: Duration.Duration
  readonly then: Fault
}

/**
 * Connecting never completes (a black-holed address, or a TLS peer that never
 * answers the handshake).
 *
 * @since 0.1.0
 */
export interface ConnectHang {
  readonly _tag: "ConnectHang"
}

/**
 * The server waits `delay` after reading the request, then `then` happens.
 *
 * @since 0.1.0
 */
export interface ResponseLatency {
  readonly _tag: "ResponseLatency"
  readonly delay: Duration.Duration
  readonly then: Fault
}

/**
 * The server reads the request and never answers (the connection stays open).
 *
 * @since 0.1.0
 */
export interface NoResponse {
  readonly _tag: "NoResponse"
}

/**
 * The server sends `reply`'s headers at once, then its body `chunkSize` bytes
 * at a time, waiting `interval` before each chunk.
 *
 * @since 0.1.0
 */
export interface Trickle {
  readonly _tag: "Trickle"
  readonly chunkSize: number
  readonly interval: Duration.Duration
  readonly reply: Reply
}

/**
 * The server answers with bytes that are not HTTP.
 *
 * @since 0.1.0
 */
export interface Malformed {
  readonly _tag: "Malformed"
  readonly bytes: string
}

/**
 * Everything a server can do to one attempt.
 *
 * @since 0.1.0
 */
export type Fault =
  | Reply
  | Echo
  | Redirect
  | DnsFailure
  | Refused
  | Unreachable
  | TlsFailure
  | ResetBeforeResponse
  | CloseBeforeResponse
  | ResetMidBody
  | Truncated
  | ConnectLatency
  | ConnectHang
  | ResponseLatency
  | NoResponse
  | Trickle
  | Malformed

const encoder = new TextEncoder()

/** A `Retry-After` value: a number is delta-seconds, a `Date` an IMF-fixdate. */
const retryAfterValue = (value: number | Date): string =>
  typeof value === "number" ? String(Math.max(0, Math.round(value))) : value.toUTCString()

const withContentType = (
  headers: Readonly<Record<string, string>> | undefined,
  type: string
): Record<string, string> => {
  const out: Record<string, string> = {}
  let hasType = false
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase()
    if (lower === "content-type") hasType = true
    out[lower] = value
  }
  if (!hasType) out["content-type"] = type
  return out
}

/**
 * Replies: complete responses.
 *
 * @since 0.1.0
 */
export const Reply = {
  /**
   * A JSON response.
   *
   * @example
   * ```ts
   * Reply.json(200, { id: 1 })
   * ```
   */
  json: (status: number, value: unknown, headers?: Readonly<Record<string, string>>): Reply => ({
    _tag: "Reply",
    status,
    headers: withContentType(headers, "application/json"),
    body: encoder.encode(JSON.stringify(value))
  }),
  /** A text response (`text/plain; charset=utf-8`). */
  text: (status: number, text: string, headers?: Readonly<Record<string, string>>): Reply => ({
    _tag: "Reply",
    status,
    headers: withContentType(headers, "text/plain; charset=utf-8"),
    body: encoder.encode(text)
  }),
  /** A response with raw bytes (`application/octet-stream`). */
  bytes: (status: number, body: Uint8Array, headers?: Readonly<Record<string, string>>): Reply => ({
    _tag: "Reply",
    status,
    headers: withContentType(headers, "application/octet-stream"),
    body
  }),
  /** An empty response with a status and headers. */
  empty: (status: number, headers?: Readonly<Record<string, string>>): Reply => ({
    _tag: "Reply",
    status,
    headers: Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    body: new Uint8Array(0)
  }),
  /** A response echoing the request as JSON (see {@link Echo}). */
  echo: (status = 200): Echo => ({ _tag: "Echo", status })
} as const

/**
 * Fault constructors.
 *
 * @since 0.1.0
 */
export const Fault = {
  /** A status, optionally with `Retry-After` (seconds or a date) and more headers; a short text body. */
  status: (
    status: number,
    options?: { readonly retryAfter?: number | Date; readonly headers?: Readonly<Record<string, string>> }
  ): Reply =>
    Reply.text(status, `status ${status}`, {
      ...options?.headers,
      ...(options?.retryAfter === undefined ? {} : { "retry-after": retryAfterValue(options.retryAfter) })
    }),
  /** A redirect (see {@link Redirect}). */
  redirect: (
    status: Redirect["status"],
    location: string,
    origin: Redirect["origin"] = "same"
  ): Redirect => ({ _tag: "Redirect", status, location, origin }),
  /** DNS failure: `ENOTFOUND`, or `EAI_AGAIN` when `temporary`. */
  dns: (options?: { readonly temporary?: boolean }): DnsFailure => ({
    _tag: "DnsFailure",
    temporary: options?.temporary ?? false
  }),
  /** Connection refused. */
  refused: (): Refused => ({ _tag: "Refused" }),
  /** Network unreachable. */
  unreachable: (): Unreachable => ({ _tag: "Unreachable" }),
  /** TLS failure. */
  tls: (reason: TlsFailure["reason"]): TlsFailure => ({ _tag: "TlsFailure", reason }),
  /** Reset (RST) before the response. */
  reset: (): ResetBeforeResponse => ({ _tag: "ResetBeforeResponse" }),
  /** Clean close (FIN) before the response. */
  close: (): CloseBeforeResponse => ({ _tag: "CloseBeforeResponse" }),
  /** Reset after `afterBytes` bytes of `reply`'s body (default: 1 KiB of "x"). */
  resetMidBody: (afterBytes: number, reply: Reply = Reply.text(200, "x".repeat(1024))): ResetMidBody => ({
    _tag: "ResetMidBody",
    afterBytes,
    reply
  }),
  /** Clean close after `afterBytes` bytes of `reply`'s body, which promised more. */
  truncate: (afterBytes: number, reply: Reply = Reply.text(200, "x".repeat(1024))): Truncated => ({
    _tag: "Truncated",
    afterBytes,
    reply
  }),
  /** Connecting takes `delay`, then `then` (default: an empty 200). */
  connectLatency: (delay: Duration.DurationInput, then: Fault = Reply.empty(200)): ConnectLatency => ({
    _tag: "ConnectLatency",
    delay: Duration.decode(delay),
    then
  }),
  /** Connecting never completes. */
  connectHang: (): ConnectHang => ({ _tag: "ConnectHang" }),
  /** Answering takes `delay`, then `then` (default: an empty 200). */
  latency: (delay: Duration.DurationInput, then: Fault = Reply.empty(200)): ResponseLatency => ({
    _tag: "ResponseLatency",
    delay: Duration.decode(delay),
    then
  }),
  /** The server never answers. */
  hang: (): NoResponse => ({ _tag: "NoResponse" }),
  /** A trickled body. */
  trickle: (
    options: { readonly chunkSize: number; readonly interval: Duration.DurationInput },
    reply: Reply = Reply.text(200, "x".repeat(64))
  ): Trickle => ({
    _tag: "Trickle",
    chunkSize: Math.max(1, Math.floor(options.chunkSize)),
    interval: Duration.decode(options.interval),
    reply
  }),
  /** Bytes that are not HTTP. */
  malformed: (bytes = "SSH-2.0-OpenSSH_9.6\r\n\r\n"): Malformed => ({ _tag: "Malformed", bytes })
} as const
