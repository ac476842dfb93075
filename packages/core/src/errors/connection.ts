/**
 * Failures of the connection: DNS, refused, reset, unreachable, TLS, proxy
 * and the transport's own.
 *
 * @since 0.1.0
 */
import * as Schema from "#line/Schema"
import { after, common, TaggedError, target } from "../internal/taggedError.js"

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
