/**
 * Classification: from whatever a transport failed with to one tagged
 * {@link Errors.HttpError}.
 *
 * The one place where foreign errors are read. It walks the whole `cause`
 * chain (a platform `HttpClientError`, fetch's `TypeError("fetch failed")`,
 * fetch's `TypeError("terminated")` after the headers, `AggregateError`s from
 * Happy Eyeballs) and reads Node errno codes, undici `UND_ERR_*` codes,
 * OpenSSL / Node TLS codes and undici's proxy messages. Every input maps to
 * some tag, nothing throws, and an unknown cause becomes a `TransportError`
 * that keeps it. What is retried is decided elsewhere (see `Retry`).
 *
 * @example
 * ```ts
 * import { Classify } from "@steadfast/core"
 *
 * const error = Classify.classify(
 *   Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED", address: "127.0.0.1", port: 1 }),
 *   { method: "GET", url: "http://127.0.0.1:1/" }
 * )
 * error._tag // "ConnectionRefused"
 * ```
 *
 * @since 0.1.0
 */
import { platformReason } from "#line/platformReason"
import * as Errors from "./Errors.js"
import * as opaque from "./internal/opaque.js"
import { redactUrl } from "./internal/redact.js"

/**
 * What the client knows about the failed exchange, besides the error itself.
 *
 * @since 0.1.0
 */
export interface Context {
  readonly method: string
  /** The request url (redacted before it is stored). */
  readonly url: string | URL
  /** Where the exchange was when it failed. @default "response" */
  readonly phase?: "connect" | "response" | "body" | undefined
  /**
   * Whether the request is known to have been (possibly) sent: the transport
   * reported a connection. `undefined` when the transport cannot tell.
   */
  readonly requestSent?: boolean | undefined
  /** The proxy in use, if any, so its failures are not blamed on the target. */
  readonly proxy?: { readonly url: string; readonly host: string; readonly port: number } | undefined
  /** Limits to report in timeout and size errors. */
  readonly connectTimeoutMs?: number | undefined
  readonly responseTimeoutMs?: number | undefined
  readonly bodyIdleTimeoutMs?: number | undefined
  readonly maxBodySize?: number | undefined
  /**
   * When the failed exchange followed a redirect: its target. A connection
   * the SSRF guard refused is then `RedirectBlocked` rather than `InvalidUrl`.
   */
  readonly redirectedTo?: string | URL | undefined
  /** The response status, once the headers arrived (for `DecodeError`). */
  readonly status?: number | undefined
}

/**
 * The `code` of the error a transport fails a connection with when the
 * client's `allowAddress` refuses the address a name resolved to (with
 * `hostname`, `address` and `reason` on the error).
 *
 * @since 0.1.0
 */
export const ADDRESS_REFUSED = "ERR_STEADFAST_ADDRESS_REFUSED"

/**
 * The `code` of the error a transport fails a body with when it cannot undo
 * the response's `Content-Encoding` (a corrupt or truncated gzip, deflate or
 * brotli stream, or more codings than it decodes): the response arrived, its
 * body is not what its headers say. Classified as `DecodeError`, which is
 * not retried by default (the server would most likely send the same bytes
 * again). The error's `message` says what went wrong.
 *
 * @since 0.1.0
 */
export const CONTENT_DECODING_FAILED = "ERR_STEADFAST_CONTENT_DECODING"

const DECODING_HINT = "The body does not match its Content-Encoding: the server (or a proxy) sent a broken " +
  "compressed stream. Read the raw bytes with the client option `decompress: false` to look at them."

/**
 * The `code` of the error the generic transport fails with in a browser when
 * fetch rejects with a `TypeError` ("Failed to fetch"): the browser hides
 * the cause, so the transport reports what the page could see instead
 * ({@link OpaqueFacts}; the `TypeError` is its `cause`).
 *
 * @since 0.1.0
 */
export const OPAQUE_NETWORK = opaque.OPAQUE_NETWORK

/**
 * The `code` of the error the generic transport fails with in a browser when
 * fetch, told not to follow redirects (`redirect: "manual"`), returned an
 * `opaqueredirect` response (status 0): a redirect whose target the page
 * cannot see. Classified as `RedirectBlocked` with reason `"opaque"`.
 *
 * @since 0.1.0
 */
export const OPAQUE_REDIRECT = opaque.OPAQUE_REDIRECT

/**
 * What a page can see of a fetch that failed with a hidden cause, as the
 * transport reports it on an error with `code` {@link OPAQUE_NETWORK}.
 *
 * @since 0.1.0
 */
export type OpaqueFacts = opaque.OpaqueFacts

/**
 * The likely cause of an opaque fetch failure, and whether the request may
 * have reached the server, from what the page saw. Pure.
 *
 * - offline or mixed content: blocked before sending (`requestSent: false`);
 * - a same-origin url cannot fail for CORS: `"unreachable"`;
 * - a cross-origin url whose server answered the probe: `"cors"`; a request
 *   that needed no preflight did reach the server (`true`), one that needed
 *   a preflight may or may not have (`"unknown"`);
 * - a cross-origin url whose server did not answer the probe: `"unreachable"`;
 * - otherwise `"unknown"`.
 *
 * How fast the fetch failed is not used: on a fast network a refused
 * connection and a reset after the request went out fail equally fast.
 *
 * @since 0.1.0
 */
export const judgeOpaque: (
  facts: OpaqueFacts
) => { readonly likely: Errors.OpaqueCause; readonly requestSent: boolean | "unknown" } = opaque.judgeOpaque

interface Node {
  readonly code: string | undefined
  readonly name: string
  readonly message: string
  readonly syscall: string | undefined
  readonly address: string | undefined
  readonly port: number | undefined
  readonly hostname: string | undefined
  readonly platformReason: string | undefined
  /** A size limit a transport put on its error (undici's own errors do not say). */
  readonly limit: number | undefined
  /** The DNS questions a resolver says it asked (`Errors.DnsQuery`). */
  readonly queries: unknown
}

const str = (u: unknown): string | undefined => typeof u === "string" ? u : undefined

const toNode = (u: unknown): Node | undefined => {
  if (typeof u !== "object" || u === null) {
    return typeof u === "string"
      ? {
        code: undefined,
        name: "",
        message: u,
        syscall: undefined,
        address: undefined,
        port: undefined,
        hostname: undefined,
        platformReason: undefined,
        limit: undefined,
        queries: undefined
      }
      : undefined
  }
  const o = u as Record<string, unknown>
  return {
    code: str(o["code"]),
    name: str(o["name"]) ?? "",
    message: str(o["message"]) ?? "",
    syscall: str(o["syscall"]),
    address: str(o["address"]),
    port: typeof o["port"] === "number" ? o["port"] : undefined,
    hostname: str(o["hostname"]),
    platformReason: platformReason(o),
    limit: typeof o["limit"] === "number" ? o["limit"] : undefined,
    queries: o["queries"]
  }
}

/**
 * Every error in the cause chain, outermost first (breadth-first over
 * `cause` and `AggregateError.errors`, at most 32 nodes, cycles skipped).
 */
const chain = (root: unknown): ReadonlyArray<Node> => {
  const out: Array<Node> = []
  const seen = new Set<unknown>()
  const queue: Array<unknown> = [root]
  while (queue.length > 0 && out.length < 32) {
    const u = queue.shift()
    if (u === undefined || u === null || seen.has(u)) continue
    seen.add(u)
    const node = toNode(u)
    if (node === undefined) continue
    out.push(node)
    if (typeof u === "object") {
      const o = u as Record<string, unknown>
      if ("cause" in o) queue.push(o["cause"])
      if (Array.isArray(o["errors"])) queue.push(...(o["errors"] as ReadonlyArray<unknown>))
    }
  }
  return out
}

const DNS_TEMPORARY = new Set(["EAI_AGAIN", "ESERVFAIL", "EREFUSED", "ETIMEOUT", "ECONNREFUSED", "EAI_SYSTEM"])
/** Codes only the resolver uses (getaddrinfo and c-ares). */
const DNS_ONLY = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EAI_FAIL",
  "EAI_NODATA",
  "ESERVFAIL",
  "EREFUSED",
  "ETIMEOUT",
  "ENODATA",
  "ENONAME",
  "EBADNAME",
  "EBADRESP",
  "EFORMERR",
  "ENOTIMP",
  "EBADQUERY",
  "EBADFAMILY"
])
/** Codes the resolver shares with sockets: DNS only when the syscall is a lookup. */
const DNS_SHARED = new Set(["ECONNREFUSED", "EAI_SYSTEM"])
const isDnsSyscall = (syscall: string | undefined) =>
  syscall !== undefined && (syscall === "getaddrinfo" || syscall.startsWith("query") || syscall === "getHostByAddr")

const RESET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "ERR_STREAM_PREMATURE_CLOSE"
])
/**
 * A response whose framing is wrong, whatever the parser that noticed: a
 * body that does not match its (duplicate, differing or invalid)
 * `Content-Length`, or an llhttp error (`HPE_*`, `HTTPParserError`).
 */
const MALFORMED_CODES = new Set([
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "HPE_UNEXPECTED_CONTENT_LENGTH",
  // the response head is larger than undici's maxHeaderSize: the response's fault, not the request's
  "UND_ERR_HEADERS_OVERFLOW"
])
const UNREACHABLE_CODES = new Set(["ENETUNREACH", "EHOSTUNREACH", "EHOSTDOWN", "EADDRNOTAVAIL", "ENETDOWN"])
const INVALID_REQUEST_CODES = new Set([
  "ERR_INVALID_HTTP_TOKEN",
  "ERR_INVALID_CHAR",
  "ERR_HTTP_INVALID_HEADER_VALUE",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
  "ERR_INVALID_ARG_TYPE",
  "ERR_INVALID_ARG_VALUE",
  // undici's InvalidArgumentError: a request it refuses to send (a header it
  // forbids, such as Proxy-Authorization on a request through a ProxyAgent)
  "UND_ERR_INVALID_ARG"
])

const TLS_SELF_SIGNED = new Set(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN"])
const TLS_EXPIRED = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "CRL_HAS_EXPIRED", "CRL_NOT_YET_VALID"])
const TLS_HOSTNAME = new Set(["ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH"])
const TLS_UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_CHAIN_TOO_LONG",
  "ERR_TLS_CERT_SIGNATURE_ALGORITHM_UNSUPPORTED"
])
const isTlsHandshake = (code: string) =>
  code === "EPROTO" || code.startsWith("ERR_SSL_") || code === "ERR_TLS_HANDSHAKE_TIMEOUT" ||
  (code.startsWith("ERR_TLS_") && !TLS_HOSTNAME.has(code))

const tlsReason = (code: string): Errors.TlsReason | undefined => {
  if (TLS_SELF_SIGNED.has(code)) return "self-signed"
  if (TLS_EXPIRED.has(code)) return "expired"
  if (TLS_HOSTNAME.has(code)) return "hostname-mismatch"
  if (TLS_UNTRUSTED.has(code)) return "untrusted"
  if (isTlsHandshake(code)) return "handshake"
  return undefined
}

const PROXY_STATUS = /Proxy (?:response \((\d{3})\)|Authentication Required \((\d{3})\))/

const NO_TIMEOUT = Number.NaN

const ADDRESS_HINT = "The client's `allowAddress` refuses that address (private, loopback, link-local…); " +
  "nothing was sent. Reach it with a client without that guard if it is meant to."

/**
 * Maps a transport failure to its tagged error (with `attempts: 1` and an
 * empty history; the client fills both in when it gives up).
 *
 * @since 0.1.0
 */
export const classify = (cause: unknown, context: Context): Errors.HttpError => {
  const nodes = chain(cause)
  const url = typeof context.url === "string" ? context.url : context.url.href
  const common = {
    request: { method: context.method, url: redactUrl(url) },
    attempts: 1,
    history: [],
    cause
  }
  const phase = context.phase ?? "response"
  const requestSent = context.requestSent ?? phase !== "connect"
  const parsed = safeUrl(url)
  const hostOf = () => parsed?.hostname ?? ""

  // the SSRF guard refused the resolved address: nothing was sent
  for (const node of nodes) {
    if (node.code === ADDRESS_REFUSED) {
      const why = node.message === "" ? "its address is refused" : node.message
      return context.redirectedTo === undefined
        ? new Errors.InvalidUrl({ ...common, reason: why, hint: ADDRESS_HINT }, true)
        : new Errors.RedirectBlocked({
          ...common,
          location: redactUrl(context.redirectedTo),
          reason: "address",
          detail: why
        }, true)
    }
  }

  // the body arrived but does not decode: not a transport failure
  for (const node of nodes) {
    if (node.code === CONTENT_DECODING_FAILED) {
      return new Errors.DecodeError({
        ...common,
        status: context.status ?? 0,
        reason: node.message === "" ? "the compressed body could not be decoded" : node.message,
        hint: DECODING_HINT
      }, true)
    }
  }
  // fetch in a browser: what the page saw, as the generic transport reports it
  const reported = opaque.findCode(cause, OPAQUE_NETWORK)
  if (reported !== undefined) {
    const facts = reported as unknown as OpaqueFacts
    const judged = opaque.judgeOpaque(facts)
    const inner = reported["cause"] as { readonly message?: unknown } | undefined
    return new Errors.TransportError({
      ...common,
      reason: "opaque-network",
      code: "TypeError",
      description: opaque.describe(facts, typeof inner?.message === "string" ? inner.message : ""),
      requestSent: judged.requestSent,
      likely: judged.likely
    }, true)
  }
  const opaqueRedirect = opaque.findCode(cause, OPAQUE_REDIRECT)
  if (opaqueRedirect !== undefined) {
    return new Errors.RedirectBlocked({
      ...common,
      location: "(hidden by the browser)",
      reason: "opaque"
    }, true)
  }

  // platform reasons that are not transport failures
  for (const node of nodes) {
    if (node.platformReason === "InvalidUrl") {
      return new Errors.InvalidUrl({ ...common, reason: firstMessage(nodes, 1) ?? "cannot be parsed" }, true)
    }
    if (node.platformReason === "Encode") {
      return new Errors.InvalidRequest({
        ...common,
        reason: `the body could not be encoded: ${firstMessage(nodes, 1) ?? "unknown"}`
      }, true)
    }
  }

  const proxy = context.proxy === undefined ? undefined : { ...context.proxy, url: redactUrl(context.proxy.url) }
  const atProxy = (node: Node) =>
    proxy !== undefined && node.port === proxy.port &&
    (node.address === undefined || sameHost(node.address, proxy.host))

  for (const node of nodes) {
    const code = node.code
    // undici's proxy failures are recognised by their message
    const proxyStatus = PROXY_STATUS.exec(node.message)
    if (proxyStatus !== null) {
      return new Errors.ProxyError({
        ...common,
        proxy: proxy?.url ?? "in use",
        code: code ?? "UND_ERR_ABORTED",
        status: Number(proxyStatus[1] ?? proxyStatus[2])
      }, true)
    }
    if (code === undefined) {
      if (node.name === "HTTPParserError") return malformed(common, "HPE_UNKNOWN", node, requestSent)
      continue
    }
    if (code === "UND_ERR_PRX_TLS") {
      return new Errors.ProxyError({ ...common, proxy: proxy?.url ?? "in use", code }, true)
    }
    if (
      proxy !== undefined && atProxy(node) &&
      (code === "ECONNREFUSED" || RESET_CODES.has(code) || UNREACHABLE_CODES.has(code) || code === "ETIMEDOUT")
    ) {
      return new Errors.ProxyError({ ...common, proxy: proxy.url, code }, true)
    }
    if (DNS_ONLY.has(code) || (DNS_SHARED.has(code) && isDnsSyscall(node.syscall))) {
      if (proxy !== undefined && node.hostname !== undefined && sameHost(node.hostname, proxy.host)) {
        return new Errors.ProxyError({ ...common, proxy: proxy.url, code }, true)
      }
      const hostname = node.hostname ?? hostOf()
      return new Errors.DnsError({
        ...common,
        hostname,
        code,
        temporary: DNS_TEMPORARY.has(code),
        queries: dnsQueries(node, hostname, code)
      }, true)
    }
    if (code === "ECONNREFUSED") {
      return new Errors.ConnectionRefused({
        ...common,
        address: node.address ?? hostOf(),
        port: node.port ?? defaultPort(parsed)
      }, true)
    }
    if (UNREACHABLE_CODES.has(code)) {
      return new Errors.NetworkUnreachable(
        node.address === undefined ? { ...common, code } : { ...common, code, address: node.address },
        true
      )
    }
    if (code === "ETIMEDOUT") {
      if (node.syscall === "connect" || phase === "connect" || (node.syscall === undefined && !requestSent)) {
        return new Errors.ConnectTimeout({ ...common, timeoutMs: context.connectTimeoutMs ?? NO_TIMEOUT }, true)
      }
      return reset(common, code, phase, requestSent)
    }
    const h2 = http2Reset(code, node.message)
    if (h2 !== undefined) {
      return new Errors.ConnectionReset({
        ...common,
        code: h2.code,
        phase: phase === "body" ? "during-body" : "before-response",
        requestSent: phase === "body" ? true : requestSent,
        frame: h2.frame
      }, true)
    }
    if (MALFORMED_CODES.has(code) || code.startsWith("HPE_")) return malformed(common, code, node, requestSent)
    if (RESET_CODES.has(code)) return reset(common, code, phase, requestSent)
    if (code === "UND_ERR_CONNECT_TIMEOUT") {
      return new Errors.ConnectTimeout({ ...common, timeoutMs: context.connectTimeoutMs ?? NO_TIMEOUT }, true)
    }
    if (code === "UND_ERR_HEADERS_TIMEOUT") {
      return new Errors.ResponseTimeout({ ...common, timeoutMs: context.responseTimeoutMs ?? NO_TIMEOUT }, true)
    }
    if (code === "UND_ERR_BODY_TIMEOUT") {
      return new Errors.BodyTimeout({
        ...common,
        timeoutMs: context.bodyIdleTimeoutMs ?? NO_TIMEOUT,
        bytesReceived: 0
      }, true)
    }
    if (code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") {
      // a transport that enforces its own limit names it on the error (`limit`)
      return new Errors.BodyTooLarge({ ...common, limit: node.limit ?? context.maxBodySize ?? NO_TIMEOUT }, true)
    }
    const reason = tlsReason(code)
    if (reason !== undefined) return new Errors.TlsError({ ...common, reason, code }, true)
    if (code.startsWith("HPE_") || node.name === "HTTPParserError") return malformed(common, code, node, requestSent)
    if (code === "ERR_INVALID_URL") {
      return new Errors.InvalidUrl({ ...common, reason: node.message || "cannot be parsed" }, true)
    }
    if (INVALID_REQUEST_CODES.has(code) || (code === "UND_ERR_INVALID_ARG" && !/proxy/i.test(node.message))) {
      return new Errors.InvalidRequest({ ...common, reason: node.message || code }, true)
    }
    if (code === "UND_ERR_CLOSED" || code === "UND_ERR_DESTROYED") {
      return new Errors.TransportError({
        ...common,
        reason: "closed",
        code,
        description: "the connection pool is closed",
        requestSent: false
      }, true)
    }
  }
  const first = nodes.find((n) => n.code !== undefined) ?? nodes.find((n) => n.platformReason === undefined) ?? nodes[0]
  // "terminated" and "other side closed" without a code still mean a lost connection
  if (nodes.some((n) => n.message === "terminated" || n.message === "other side closed")) {
    return reset(common, first?.code ?? "UND_ERR_SOCKET", phase === "connect" ? "response" : phase, requestSent)
  }
  // fetch's TypeError with nothing under it: the platform hides the cause
  const hidden = nodes.find((n) => n.name === "TypeError" && opaque.FETCH_FAILED.test(n.message))
  if (hidden !== undefined && !nodes.some((n) => n.code !== undefined)) {
    return new Errors.TransportError({
      ...common,
      reason: "opaque-network",
      code: "TypeError",
      description: opaque.describe(undefined, hidden.message),
      requestSent: "unknown",
      likely: "unknown"
    }, true)
  }
  return new Errors.TransportError({
    ...common,
    reason: "unknown",
    code: first?.code ?? (first?.name || "UNKNOWN"),
    description: first?.message || "unknown failure",
    requestSent
  }, true)
}

/** HTTP/2 error codes by number (RFC 9113 §7), named as Node names them. */
const H2_CODES = [
  "NO_ERROR",
  "PROTOCOL_ERROR",
  "INTERNAL_ERROR",
  "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT",
  "STREAM_CLOSED",
  "FRAME_SIZE_ERROR",
  "REFUSED_STREAM",
  "CANCEL",
  "COMPRESSION_ERROR",
  "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM",
  "INADEQUATE_SECURITY",
  "HTTP_1_1_REQUIRED"
]
const H2_STREAM_CODE = /\bNGHTTP2_[A-Z0-9_]+/
const H2_GOAWAY = /HTTP\/2: "GOAWAY" frame received with code (\d+)/
const H2_STREAM_GONE = /^HTTP\/2: stream (?:half-closed \(remote\)|closed before the response was complete)/

/**
 * undici's HTTP/2 failures: a stream reset by the server (Node's
 * `ERR_HTTP2_STREAM_ERROR`, "Stream closed with error code NGHTTP2_…"), a
 * GOAWAY (undici's `SocketError` "HTTP/2: \"GOAWAY\" frame received with
 * code N"), a stream that ended without its response (undici's
 * informational errors).
 */
const http2Reset = (
  code: string,
  message: string
): { readonly code: string; readonly frame: "GOAWAY" | "RST_STREAM" } | undefined => {
  if (code === "ERR_HTTP2_STREAM_ERROR") {
    return { code: H2_STREAM_CODE.exec(message)?.[0] ?? code, frame: "RST_STREAM" }
  }
  if (code === "UND_ERR_SOCKET") {
    const goaway = H2_GOAWAY.exec(message)
    if (goaway !== null) {
      const name = H2_CODES[Number(goaway[1])]
      return { code: name === undefined ? `HTTP2_CODE_${goaway[1]}` : `NGHTTP2_${name}`, frame: "GOAWAY" }
    }
  }
  if (code === "UND_ERR_INFO" && H2_STREAM_GONE.test(message)) return { code, frame: "RST_STREAM" }
  return undefined
}

const QUERY_TYPES: Readonly<Record<string, string>> = {
  getaddrinfo: "A/AAAA",
  queryA: "A",
  queryAaaa: "AAAA",
  queryAny: "ANY",
  queryCname: "CNAME",
  querySrv: "SRV"
}

/**
 * The DNS questions behind a failure: the resolver's own list when it gives
 * one (steadfast's node resolver does), else the one question the failing
 * call names by its `syscall` (`getaddrinfo`, `queryA`, …).
 */
const dnsQueries = (node: Node, hostname: string, code: string): ReadonlyArray<Errors.DnsQuery> => {
  if (Array.isArray(node.queries)) {
    const out: Array<Errors.DnsQuery> = []
    for (const q of node.queries as ReadonlyArray<Record<string, unknown>>) {
      if (typeof q !== "object" || q === null || typeof q["name"] !== "string" || typeof q["type"] !== "string") {
        continue
      }
      out.push(
        typeof q["code"] === "string"
          ? { name: q["name"], type: q["type"], code: q["code"] }
          : { name: q["name"], type: q["type"] }
      )
      if (out.length >= 16) break
    }
    if (out.length > 0) return out
  }
  const type = node.syscall === undefined ? undefined : QUERY_TYPES[node.syscall]
  return [{ name: hostname, type: type ?? "A/AAAA", code }]
}

type Common = {
  readonly request: Errors.RequestInfo
  readonly attempts: number
  readonly history: ReadonlyArray<Errors.AttemptRecord>
  readonly cause: unknown
}

const reset = (common: Common, code: string, phase: "connect" | "response" | "body", requestSent: boolean) =>
  new Errors.ConnectionReset({
    ...common,
    code,
    phase: phase === "body" ? "during-body" : "before-response",
    requestSent: phase === "body" ? true : requestSent
  }, true)

const malformed = (common: Common, code: string, node: Node, requestSent: boolean) =>
  new Errors.TransportError({
    ...common,
    reason: "malformed-response",
    code,
    description: `malformed response: ${node.message || "not HTTP"}`,
    requestSent
  }, true)

const firstMessage = (nodes: ReadonlyArray<Node>, from: number): string | undefined =>
  nodes.slice(from).find((n) => n.message !== "")?.message

const safeUrl = (url: string): URL | undefined => {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

const defaultPort = (url: URL | undefined): number =>
  url === undefined ? 0 : url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80

const stripBrackets = (host: string) => host.startsWith("[") ? host.slice(1, -1) : host
const sameHost = (a: string, b: string) => {
  const x = stripBrackets(a).replace(/^::ffff:/, "")
  const y = stripBrackets(b).replace(/^::ffff:/, "")
  return x === y || (isLoopback(x) && isLoopback(y))
}
const isLoopback = (h: string) => h === "localhost" || h === "::1" || h.startsWith("127.")
