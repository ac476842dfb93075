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
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import { markSafe, safeProps } from "./internal/cause.js"

/**
 * The request an error is about, with secrets removed from the url.
 *
 * @since 0.1.0
 */
export const RequestInfo = Schema.Struct({
  method: Schema.String,
  url: Schema.String
})

/**
 * @since 0.1.0
 */
export interface RequestInfo extends Schema.Schema.Type<typeof RequestInfo> {}

/**
 * Where an attempt got to (see `Transport.Phase`).
 *
 * @since 0.1.0
 */
export const AttemptPhase = Schema.Literal("queued", "connecting", "connected", "written", "headers", "body")

/**
 * What the client decided after an attempt: send it again at once (a stale
 * keep-alive connection, a proxy that cannot be reached), retry it after a
 * wait, or give up.
 *
 * @since 0.1.0
 */
export const Decision = Schema.Literal("resend", "retry", "give-up")

/**
 * One attempt of a request as it is kept in an error's `history` (and in
 * `Client.withHistory`).
 *
 * - `tag`: the `_tag` of the attempt's failure (`"StatusError"` for a
 *   status), or `"Success"` for the attempt that succeeded.
 * - `status`: the response status, when there was one.
 * - `delayMs`: how long the client waited after this attempt before the next
 *   one (0 for the last attempt and for a re-send).
 * - `elapsedMs`: time since the request started when the attempt ended.
 * - `phase`: how far the attempt got (`"written"` and later: it may have
 *   reached the server).
 * - `reusedSocket`: it went out on a keep-alive connection used before.
 * - `decision` and `reason`: what the client did next, and why:
 *   `"resend"` (`"stale-socket"`, `"proxy-fallback"`, `"refused-stream"`), `"retry"`
 *   (`"policy"`, `"retry-after"`) or `"give-up"` (`"not-retryable"`,
 *   `"not-idempotent"`, `"body-sent"`, `"retries"`, `"schedule"`,
 *   `"retry-after"`, `"retry-after-deadline"`, `"max-elapsed"`,
 *   `"deadline"`, `"budget"`, `"browser-refused"`, or a policy's own).
 * - `retryRefused`: `"budget"` when the retry policy would have retried
 *   but the retry budget refused (see the `Budget` module).
 *
 * @since 0.1.0
 */
export const AttemptRecord = Schema.Struct({
  attempt: Schema.Number,
  tag: Schema.String,
  status: Schema.optional(Schema.Number),
  delayMs: Schema.Number,
  elapsedMs: Schema.Number,
  phase: Schema.optional(AttemptPhase),
  reusedSocket: Schema.optional(Schema.Boolean),
  decision: Schema.optional(Decision),
  reason: Schema.optional(Schema.String),
  retryRefused: Schema.optional(Schema.Literal("budget"))
})

/**
 * @since 0.1.0
 */
export interface AttemptRecord extends Schema.Schema.Type<typeof AttemptRecord> {}

const common = {
  request: RequestInfo,
  attempts: Schema.Number,
  history: Schema.Array(AttemptRecord),
  cause: Schema.optional(Schema.Defect),
  /** `"budget"`: the retry policy would have retried, the retry budget refused (see the `Budget` module). */
  retryRefused: Schema.optional(Schema.Literal("budget"))
}

/**
 * `Schema.TaggedError`, whose instances keep no secret: the constructor
 * replaces `cause` with a safe summary (see `internal/cause.ts`) and
 * redacts sensitive headers and quoted text, so `toJSON`, `util.inspect`,
 * loggers and span exit data cannot print a token, whoever builds the error.
 */
const TaggedError = <Self>() =>
<Tag extends string, Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: Fields
): Schema.TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields> => {
  const Base = (Schema.TaggedError<Self>() as any)(tag, fields) as new(props: any, options?: any) => object
  class Safe extends Base {
    constructor(props: any, options?: any) {
      super(safeProps(props), options)
    }
  }
  markSafe(Safe.prototype)
  return Safe as any
}

const target = (r: RequestInfo) => `${r.method} ${r.url}`
const after = (attempts: number) => attempts === 1 ? "after 1 attempt" : `after ${attempts} attempts`
const millis = (ms: number) => Duration.format(Duration.millis(ms))

/**
 * One DNS question a failed resolution asked: the `name`, the record `type`
 * (`"A"`, `"AAAA"`, or `"A/AAAA"` for the system's `getaddrinfo`, which asks
 * for both after looking in `/etc/hosts`), and the `code` it failed with,
 * when known.
 *
 * @since 0.1.0
 */
export const DnsQuery = Schema.Struct({
  name: Schema.String,
  type: Schema.String,
  code: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 */
export interface DnsQuery extends Schema.Schema.Type<typeof DnsQuery> {}

const queriesText = (queries: ReadonlyArray<DnsQuery> | undefined): string =>
  queries === undefined || queries.length === 0 ?
    "" :
    ` [asked: ${queries.map((q) => `${q.type} ${q.name}${q.code === undefined ? "" : ` → ${q.code}`}`).join(", ")}]`

/**
 * Name resolution failed. `temporary` is true for failures that may pass on
 * their own (`EAI_AGAIN`, a DNS server failure or timeout) and false when the
 * name does not exist (`ENOTFOUND`). `queries` says which names and record
 * types were asked, and how each failed, when the resolver tells.
 *
 * @since 0.1.0
 */
export class DnsError extends TaggedError<DnsError>()("DnsError", {
  ...common,
  hostname: Schema.String,
  code: Schema.String,
  temporary: Schema.Boolean,
  queries: Schema.optional(Schema.Array(DnsQuery))
}) {
  override get message(): string {
    return `${target(this.request)}: could not resolve ${this.hostname} (${this.code}${
      this.temporary ? ", temporary" : ""
    })${queriesText(this.queries)} ${after(this.attempts)}. ` +
      (this.temporary
        ? "The DNS server did not answer in time: check this machine's resolver and network."
        : "The name does not exist: check the host name for typos.") +
      " `steadfast doctor <url>` shows what DNS returns."
  }
}

/**
 * Nothing listens at the address (`ECONNREFUSED`).
 *
 * @since 0.1.0
 */
export class ConnectionRefused extends TaggedError<ConnectionRefused>()("ConnectionRefused", {
  ...common,
  address: Schema.String,
  port: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: connection refused by ${this.address}:${this.port} ${
      after(this.attempts)
    }. Is the server running and listening on that port?`
  }
}

/**
 * Where in the exchange a connection was lost.
 *
 * @since 0.1.0
 */
export const ResetPhase = Schema.Literal("before-response", "during-body")

/**
 * The peer closed or reset the socket (`ECONNRESET`, `EPIPE`, undici's
 * "other side closed"). `phase` says whether it happened before the response
 * headers or while the body was read; `requestSent` whether the request may
 * have reached the server.
 *
 * Over HTTP/2, `frame` says how the server ended it: `"RST_STREAM"` reset
 * this request's stream, `"GOAWAY"` closed the whole connection; `code` is
 * then the HTTP/2 error code (`NGHTTP2_REFUSED_STREAM`,
 * `NGHTTP2_INTERNAL_ERROR`, `NGHTTP2_NO_ERROR`, …).
 *
 * @since 0.1.0
 */
export class ConnectionReset extends TaggedError<ConnectionReset>()("ConnectionReset", {
  ...common,
  code: Schema.String,
  phase: ResetPhase,
  requestSent: Schema.Boolean,
  frame: Schema.optional(Schema.Literal("GOAWAY", "RST_STREAM"))
}) {
  override get message(): string {
    const what = this.frame === "RST_STREAM"
      ? `the server reset the HTTP/2 stream (RST_STREAM ${this.code})`
      : this.frame === "GOAWAY"
      ? `the server closed the HTTP/2 connection (GOAWAY ${this.code})`
      : `the connection was closed by the peer (${this.code})`
    return `${target(this.request)}: ${what} ${
      this.phase === "during-body" ? "while the body was being read" : "before the response arrived"
    } ${after(this.attempts)}. ` +
      "The server or a proxy in between dropped it: look for crashes, idle keep-alive timeouts or size limits on that side."
  }
}

/**
 * The network or host cannot be reached (`ENETUNREACH`, `EHOSTUNREACH`,
 * `EHOSTDOWN`, `EADDRNOTAVAIL`).
 *
 * @since 0.1.0
 */
export class NetworkUnreachable extends TaggedError<NetworkUnreachable>()("NetworkUnreachable", {
  ...common,
  code: Schema.String,
  address: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: ${this.address ?? "the host"} is unreachable (${this.code}) ${
      after(this.attempts)
    }. Check the route to it: network interface, VPN, firewall, or an IPv6 address without IPv6 connectivity.`
  }
}

/**
 * Why a TLS connection failed.
 *
 * @since 0.1.0
 */
export const TlsReason = Schema.Literal("self-signed", "expired", "hostname-mismatch", "untrusted", "handshake")

/**
 * @since 0.1.0
 */
export type TlsReason = Schema.Schema.Type<typeof TlsReason>

const tlsHints: Record<TlsReason, string> = {
  "self-signed":
    "The certificate is self-signed: give its CA to the client (`ca` option) rather than turning verification off.",
  expired: "The certificate is expired or not yet valid: renew it on the server, or check this machine's clock.",
  "hostname-mismatch":
    "The certificate does not cover this host name: use a name it lists, or set `servername` to one.",
  untrusted:
    "The certificate chain is not trusted: give the issuing CA to the client (`ca` option), or have the server send its intermediate certificates.",
  handshake:
    "The TLS handshake failed: no protocol or cipher in common, or the port does not speak TLS (http vs https?)."
}

/**
 * A certificate or handshake failure. `reason` sorts the many OpenSSL and
 * Node codes into five kinds; `code` keeps the original one.
 *
 * @since 0.1.0
 */
export class TlsError extends TaggedError<TlsError>()("TlsError", {
  ...common,
  reason: TlsReason,
  code: Schema.String
}) {
  override get message(): string {
    return `${target(this.request)}: TLS failed, ${this.reason} (${this.code}) ${after(this.attempts)}. ${
      tlsHints[this.reason]
    }`
  }
}

/**
 * The proxy refused the connection, failed, or asked for credentials.
 * `status` is the proxy's answer to `CONNECT` when it gave one (407: needs auth).
 *
 * @since 0.1.0
 */
export class ProxyError extends TaggedError<ProxyError>()("ProxyError", {
  ...common,
  proxy: Schema.String,
  code: Schema.String,
  status: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const what = this.status === 407
      ? "asks for credentials (407)"
      : this.status !== undefined
      ? `answered ${this.status} to CONNECT`
      : `failed (${this.code})`
    return `${target(this.request)}: the proxy ${this.proxy} ${what} ${after(this.attempts)}. ` +
      (this.status === 407
        ? "Put valid credentials in the proxy url (http://user:pass@host:port)."
        : "Check that the proxy runs and that HTTP_PROXY / HTTPS_PROXY / NO_PROXY point where you mean.")
  }
}

/**
 * What a page can tell about a network failure whose cause the browser hides
 * (`TransportError` with reason `"opaque-network"`):
 * - `"offline"`: `navigator.onLine` was false; nothing left the machine;
 * - `"mixed-content"`: an http url from an https page, blocked before sending;
 * - `"cors"`: the server answers (a no-cors probe got a response) but the
 *   browser refused the exchange: a CORS preflight that failed, or a response
 *   without the `Access-Control-Allow-*` headers the request needs;
 * - `"unreachable"`: the server did not answer at all (refused, reset, empty
 *   response, DNS, TLS — the browser does not say which);
 * - `"unknown"`: nothing could be learned.
 *
 * @since 0.1.0
 */
export const OpaqueCause = Schema.Literal("offline", "mixed-content", "cors", "unreachable", "unknown")

/**
 * @since 0.1.0
 */
export type OpaqueCause = Schema.Schema.Type<typeof OpaqueCause>

const opaqueHints: Readonly<Record<OpaqueCause, string>> = {
  offline: "The browser is offline (navigator.onLine is false); nothing was sent.",
  "mixed-content": "An https page may not call an http url (mixed content); serve the API over https.",
  cors: "The server answered, but the browser refused the exchange (CORS): the server must answer the " +
    "preflight (OPTIONS) and the request with Access-Control-Allow-Origin (and -Headers / -Methods for what " +
    "the request sends). The browser console names the missing header.",
  unreachable: "The server did not answer: refused, reset, empty response, DNS or TLS failure. " +
    "The browser hides which; its network panel (devtools) shows the net::ERR_* code.",
  unknown: "It may be offline, DNS, refused, reset, CORS or mixed content; the browser hides which. " +
    "Look at the browser console and the network panel (devtools) for the net::ERR_* code or the CORS message."
}

/**
 * Any other transport failure: a malformed response, a closed pool, a
 * network failure whose cause the browser hides (`"opaque-network"`, with
 * what the page could tell in `likely`), or a cause steadfast does not
 * recognise. `reason` says which; `cause` keeps the original. `requestSent`
 * is `"unknown"` when the transport cannot tell (fetch in a browser).
 *
 * @since 0.1.0
 */
export class TransportError extends TaggedError<TransportError>()("TransportError", {
  ...common,
  reason: Schema.Literal("malformed-response", "closed", "opaque-network", "unknown"),
  code: Schema.String,
  description: Schema.String,
  requestSent: Schema.Union(Schema.Boolean, Schema.Literal("unknown")),
  /** For `"opaque-network"`: the likely cause, from what the page could see. */
  likely: Schema.optional(OpaqueCause)
}) {
  override get message(): string {
    const hint = this.reason === "malformed-response"
      ? "The server sent bytes that are not valid HTTP/1.1: is this port really an HTTP server?"
      : this.reason === "closed"
      ? "The connection pool was already closed: is the client used after its Layer's scope ended?"
      : this.reason === "opaque-network"
      ? opaqueHints[this.likely ?? "unknown"]
      : "See `cause` for the original error."
    return `${target(this.request)}: transport failed, ${this.description} (${this.code}) ${
      after(this.attempts)
    }. ${hint}`
  }
}

/**
 * No connection of the pool became free within the pool timeout: the client
 * itself is saturated (every connection to the origin busy, requests
 * waiting), not the server. The request was never sent. Not retried by
 * default: waiting again would add load to a pool that is already full.
 *
 * @since 0.1.0
 */
export class PoolTimeout extends TaggedError<PoolTimeout>()("PoolTimeout", {
  ...common,
  timeoutMs: Schema.Number,
  origin: Schema.String,
  /** Connections busy with a request when the wait ended (when the transport says). */
  inUse: Schema.optional(Schema.Number),
  /** The pool's bound on connections to the origin (`Infinity`: none). */
  limit: Schema.optional(Schema.Number),
  /** Requests waiting for a connection, this one included. */
  waiting: Schema.optional(Schema.Number),
  requestSent: Schema.Literal(false)
}) {
  override get message(): string {
    const state = this.inUse === undefined
      ? ""
      : ` (${this.inUse}${
        this.limit === undefined || this.limit === Infinity ? "" : ` of ${this.limit}`
      } connections in use${this.waiting === undefined ? "" : `, ${this.waiting} requests waiting`})`
    return `${target(this.request)}: no free connection to ${this.origin} within ${millis(this.timeoutMs)}${state} ${
      after(this.attempts)
    }. The client is saturated, not the server: raise the pool's connections or send fewer requests at once ` +
      "(or raise `timeouts.pool`). Not retried by default: waiting again would add load to a full pool."
  }
}

/**
 * No connection within the connect timeout: DNS, the TCP handshake or the TLS
 * handshake was too slow. Waiting for a free connection of a full pool is
 * `PoolTimeout`, not this.
 *
 * @since 0.1.0
 */
export class ConnectTimeout extends TaggedError<ConnectTimeout>()("ConnectTimeout", {
  ...common,
  timeoutMs: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: no connection within ${millis(this.timeoutMs)} ${after(this.attempts)}. ` +
      "The host may be down or filtered by a firewall; raise `timeouts.connect` for slow networks."
  }
}

/**
 * No response headers within the response timeout.
 *
 * @since 0.1.0
 */
export class ResponseTimeout extends TaggedError<ResponseTimeout>()("ResponseTimeout", {
  ...common,
  timeoutMs: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: no response headers within ${millis(this.timeoutMs)} ${
      after(this.attempts)
    }. The server is slow or stuck; raise \`timeouts.response\` for endpoints that are slow on purpose.`
  }
}

/**
 * The body stalled: no bytes for longer than the body idle timeout.
 *
 * @since 0.1.0
 */
export class BodyTimeout extends TaggedError<BodyTimeout>()("BodyTimeout", {
  ...common,
  timeoutMs: Schema.Number,
  bytesReceived: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: the body stalled for ${millis(this.timeoutMs)} after ${this.bytesReceived} bytes ${
      after(this.attempts)
    }. The server or network is sending too slowly; raise \`timeouts.bodyIdle\` if that is expected.`
  }
}

/**
 * The total budget of the request, over all attempts and waits, ran out.
 * `cause` is the failure of the last attempt when there was one.
 *
 * @since 0.1.0
 */
export class DeadlineExceeded extends TaggedError<DeadlineExceeded>()("DeadlineExceeded", {
  ...common,
  deadlineMs: Schema.Number,
  lastError: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const last = this.history[this.history.length - 1]
    // the client gives up early when the next wait would end past the deadline
    const what = last !== undefined && last.elapsedMs < this.deadlineMs
      ? `gave up at ${millis(last.elapsedMs)}, ${after(this.attempts)}: the next retry would end past the deadline of ${
        millis(this.deadlineMs)
      }`
      : `the deadline of ${millis(this.deadlineMs)} ran out ${after(this.attempts)}`
    return `${target(this.request)}: ${what}${
      this.lastError === undefined ? "" : ` (last failure: ${this.lastError})`
    }. Raise \`timeouts.deadline\`, or retry less.`
  }
}

const statusHint = (status: number, attempts: number): string => {
  if (status === 401 || status === 407) return "Check the credentials sent with the request."
  if (status === 403) return "The credentials are valid but not allowed to do this."
  if (status === 404) return "Check the url: the resource does not exist."
  if (status === 408 || status === 504) {
    return attempts > 1
      ? "The server or a gateway timed out on every attempt: check the server, or raise its timeout."
      : "The server or a gateway timed out: allow retries, or check the server."
  }
  if (status === 429) return "Rate limited: slow down, or honour Retry-After with a longer retry policy."
  if (status >= 500) {
    return attempts > 1
      ? "The server failed on every attempt: check the server's health."
      : "The server failed: check the server's health, or allow retries."
  }
  if (status >= 400) return "The server rejected the request: check its body and headers."
  return "The client's status policy treats this status as a failure."
}

/**
 * A response whose status the policy treats as a failure (by default any
 * status >= 400, after the retryable ones were retried).
 *
 * @since 0.1.0
 */
export class StatusError extends TaggedError<StatusError>()("StatusError", {
  ...common,
  status: Schema.Number,
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  retryAfterMs: Schema.optional(Schema.Number),
  body: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: the server answered ${this.status}${
      this.retryAfterMs === undefined ? "" : ` with Retry-After ${millis(this.retryAfterMs)}`
    } ${after(this.attempts)}. ${statusHint(this.status, this.attempts)}`
  }
}

/**
 * More redirects than allowed. `chain` lists the urls visited, in order
 * (redacted).
 *
 * @since 0.1.0
 */
export class TooManyRedirects extends TaggedError<TooManyRedirects>()("TooManyRedirects", {
  ...common,
  max: Schema.Number,
  chain: Schema.Array(Schema.String),
  loop: Schema.Boolean
}) {
  override get message(): string {
    const shown = this.chain.length > 6
      ? [...this.chain.slice(0, 3), "…", ...this.chain.slice(-2)]
      : this.chain
    return `${target(this.request)}: ${this.loop ? "redirect loop" : `more than ${this.max} redirects`} (${
      shown.join(" -> ")
    }) ${after(this.attempts)}. ` +
      (this.loop
        ? "The server redirects back to a url already visited; fix the server's redirect rules."
        : "Raise `redirects.max` if the chain is legitimate.")
  }
}

const redirectBlocks = {
  downgrade: [
    "https to http",
    "Allow it with `redirects.allowDowngrade` only if you accept sending the request in clear text."
  ],
  scheme: ["not an http(s) url", "Only http and https redirects are followed."],
  policy: ["refused by `redirects.allow`", "Your `redirects.allow` hook returned false for this target."],
  "invalid-location": [
    "the Location header is not a url",
    "The server sent a redirect that cannot be followed; fix its Location header."
  ],
  address: [
    "its address is refused by `allowAddress`",
    "The target is on an address this client must not reach (private, loopback, link-local…)."
  ],
  opaque: [
    "the browser hides the redirect",
    "fetch was told not to follow it (redirect: \"manual\") so that the client's redirect rules hold, and a " +
    "page cannot see where a redirect points. Call the final url directly, or drop the header listed in " +
    "`redirects.sensitiveHeaders` (or Authorization) from this request so the browser may follow it."
  ]
} as const

/**
 * A redirect that is not followed: https to http (`"downgrade"`), a scheme
 * other than http(s) (`"scheme"`), refused by the `redirects.allow` hook
 * (`"policy"`), a `Location` that is not a url (`"invalid-location"`), or a
 * target on an address the client's `allowAddress` refuses (`"address"`,
 * with `address` and its kind in `detail`), or, in a browser, a redirect
 * fetch did not follow so that the client's rules hold and whose target
 * the browser hides (`"opaque"`, see docs/browser.md).
 *
 * @since 0.1.0
 */
export class RedirectBlocked extends TaggedError<RedirectBlocked>()("RedirectBlocked", {
  ...common,
  location: Schema.String,
  reason: Schema.Literal("downgrade", "scheme", "policy", "invalid-location", "address", "opaque"),
  detail: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const [what, hint] = redirectBlocks[this.reason]
    return `${target(this.request)}: redirect to ${this.location} blocked (${what}${
      this.detail === undefined ? "" : `: ${this.detail}`
    }) ${after(this.attempts)}. ${hint}`
  }
}

/**
 * The response body passed the size limit.
 *
 * @since 0.1.0
 */
export class BodyTooLarge extends TaggedError<BodyTooLarge>()("BodyTooLarge", {
  ...common,
  limit: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: the response body passed the limit of ${this.limit} bytes ${
      after(this.attempts)
    }. ` +
      "Raise `maxBodySize` or stream the body with `execute`."
  }
}

/**
 * The url cannot be parsed, its scheme is not http or https, or it leaves
 * the client's base url (another origin, or above the base path). `hint`
 * says what to do. Nothing was sent.
 *
 * @since 0.1.0
 */
export class InvalidUrl extends TaggedError<InvalidUrl>()("InvalidUrl", {
  ...common,
  reason: Schema.String,
  hint: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: invalid url, ${this.reason}. ${
      this.hint ?? "Use an absolute http:// or https:// url."
    }`
  }
}

/**
 * The request is malformed: a header name or value with CR/LF or other
 * forbidden characters, or a body that cannot be encoded; or it could not be
 * made ready (the client's token Effect or `mapRequestEffect` function
 * failed: that failure is the `cause`, and `hint` says so). Nothing was sent.
 *
 * @since 0.1.0
 */
export class InvalidRequest extends TaggedError<InvalidRequest>()("InvalidRequest", {
  ...common,
  reason: Schema.String,
  hint: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: invalid request, ${this.reason}. ${
      this.hint ?? "Nothing was sent; fix the request."
    }`
  }
}

/**
 * The body could not be decoded (not JSON, not UTF-8, a compressed body
 * that does not decompress) or failed its Schema.
 *
 * @since 0.1.0
 */
export class DecodeError extends TaggedError<DecodeError>()("DecodeError", {
  ...common,
  status: Schema.Number,
  reason: Schema.String,
  /** What to do about it, when the default ("check the Schema") does not fit: a broken compressed body. */
  hint: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: could not decode the ${this.status} response body: ${this.reason} (${
      after(this.attempts)
    }). ${this.hint ?? "Check that the endpoint returns what the Schema describes."}`
  }
}

/**
 * Why a rate limiter refused to send: `"quota"` (the client's own quota for
 * the key), `"server"` (the server said to wait: `Retry-After`, or no
 * requests remaining before its window resets) or `"store"` (the shared
 * store, e.g. Redis, did not answer and the limiter fails closed).
 *
 * @since 0.1.0
 */
export const RateLimitReason = Schema.Literal("quota", "server", "store")

/**
 * @since 0.1.0
 */
export type RateLimitReason = Schema.Schema.Type<typeof RateLimitReason>

const rateLimitHints: Record<RateLimitReason, string> = {
  quota:
    "The client's own quota for it is used up: raise `maxWait` to wait for a slot, or the limit if the server allows more.",
  server:
    "The server asked for this pause (Retry-After, or no requests left in its window): try again after it, or raise `maxWait`.",
  store:
    "The shared rate-limit store did not answer and the limiter fails closed: check the store (Redis), or choose `onStoreFailure: \"local\"`."
}

/**
 * A rate limiter refused to send the request: it would have had to wait
 * `waitMs` for `key` (the origin by default), longer than its `maxWait` or
 * past the deadline. Nothing was sent by that attempt; `attempts` counts the
 * ones made before. Not retried by default: the limiter already waited as
 * long as it may.
 *
 * @since 0.1.0
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...common,
  key: Schema.String,
  waitMs: Schema.Number,
  reason: RateLimitReason
}) {
  override get message(): string {
    const what = this.reason === "store"
      ? `not sent, the rate-limit store for ${this.key} is unavailable`
      : `rate limited for ${this.key}, the next slot is in ${millis(this.waitMs)}`
    return `${target(this.request)}: ${what} (${this.attempts === 0 ? "no attempt made" : after(this.attempts)}). ${
      rateLimitHints[this.reason]
    }`
  }
}

/**
 * A circuit breaker is open for `key` (the origin by default): recent
 * attempts failed (`openedBy` names the failure that opened it), so the
 * request failed fast. Nothing was sent; never retried. `state` is `"open"`
 * (the next probe may go in `retryInMs`; `undefined` while the break is
 * being computed) or `"half-open"` (probes are out; their outcome decides).
 *
 * @since 0.1.0
 */
export class CircuitOpen extends TaggedError<CircuitOpen>()("CircuitOpen", {
  ...common,
  key: Schema.String,
  state: Schema.Literal("open", "half-open"),
  retryInMs: Schema.optional(Schema.Number),
  openedBy: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const when = this.state === "half-open"
      ? "probe requests are out, their outcome decides"
      : this.retryInMs === undefined
      ? "the next probe is being scheduled"
      : `the next probe may go in ${millis(this.retryInMs)}`
    return `${target(this.request)}: not sent, the circuit breaker for ${this.key} is ${this.state}` +
      `${this.openedBy === undefined ? "" : ` (opened by ${this.openedBy})`}; ${when} ` +
      `(${this.attempts === 0 ? "no attempt made" : after(this.attempts)}). ` +
      "The server has been failing: handle CircuitOpen with a fallback, or tune the breaker's thresholds."
  }
}

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
  "CircuitOpen"
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
    CircuitOpen
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
