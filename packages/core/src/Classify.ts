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
import * as Errors from "./Errors.js"
import { defaultPort, malformed, reset, safeUrl, sameHost, withCommon } from "./internal/classify/build.js"
import { chain, firstMessage, type Node } from "./internal/classify/chain.js"
import {
  DNS_ONLY,
  DNS_SHARED,
  DNS_TEMPORARY,
  INVALID_REQUEST_CODES,
  isDnsSyscall,
  MALFORMED_CODES,
  PROXY_STATUS,
  RESET_CODES,
  tlsReason,
  UNREACHABLE_CODES
} from "./internal/classify/codes.js"
import { dnsQueries } from "./internal/classify/dnsQueries.js"
import { http2Reset } from "./internal/classify/http2.js"
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
    request: { method: context.method, url: redactUrl(context.url) },
    attempts: 1,
    history: [],
    cause
  }
  const phase = context.phase ?? "response"
  const requestSent = context.requestSent ?? phase !== "connect"
  // a URL is taken as it is (the client passes its own): parsing its href again would give the same
  const parsed = typeof context.url === "string" ? safeUrl(url) : context.url
  const hostOf = () => parsed?.hostname ?? ""

  // the SSRF guard refused the resolved address: nothing was sent
  for (const node of nodes) {
    if (node.code === ADDRESS_REFUSED) {
      const why = node.message === "" ? "its address is refused" : node.message
      return context.redirectedTo === undefined
        ? new Errors.InvalidUrl(withCommon(common, { reason: why, hint: ADDRESS_HINT }), true)
        : new Errors.RedirectBlocked(
          withCommon(common, {
            location: redactUrl(context.redirectedTo),
            reason: "address",
            detail: why
          }),
          true
        )
    }
  }

  // the body arrived but does not decode: not a transport failure
  for (const node of nodes) {
    if (node.code === CONTENT_DECODING_FAILED) {
      return new Errors.DecodeError(
        withCommon(common, {
          status: context.status ?? 0,
          reason: node.message === "" ? "the compressed body could not be decoded" : node.message,
          hint: DECODING_HINT
        }),
        true
      )
    }
  }
  // fetch in a browser: what the page saw, as the generic transport reports it
  const reported = opaque.findCode(cause, OPAQUE_NETWORK)
  if (reported !== undefined) {
    const facts = reported as unknown as OpaqueFacts
    const judged = opaque.judgeOpaque(facts)
    const inner = reported["cause"] as { readonly message?: unknown } | undefined
    return new Errors.TransportError(
      withCommon(common, {
        reason: "opaque-network",
        code: "TypeError",
        description: opaque.describe(facts, typeof inner?.message === "string" ? inner.message : ""),
        requestSent: judged.requestSent,
        likely: judged.likely
      }),
      true
    )
  }
  const opaqueRedirect = opaque.findCode(cause, OPAQUE_REDIRECT)
  if (opaqueRedirect !== undefined) {
    return new Errors.RedirectBlocked(
      withCommon(common, {
        location: "(hidden by the browser)",
        reason: "opaque"
      }),
      true
    )
  }

  // platform reasons that are not transport failures
  for (const node of nodes) {
    if (node.platformReason === "InvalidUrl") {
      return new Errors.InvalidUrl(withCommon(common, { reason: firstMessage(nodes, 1) ?? "cannot be parsed" }), true)
    }
    if (node.platformReason === "Encode") {
      return new Errors.InvalidRequest(
        withCommon(common, {
          reason: `the body could not be encoded: ${firstMessage(nodes, 1) ?? "unknown"}`
        }),
        true
      )
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
      return new Errors.ProxyError(
        withCommon(common, {
          proxy: proxy?.url ?? "in use",
          code: code ?? "UND_ERR_ABORTED",
          status: Number(proxyStatus[1] ?? proxyStatus[2])
        }),
        true
      )
    }
    if (code === undefined) {
      if (node.name === "HTTPParserError") return malformed(common, "HPE_UNKNOWN", node, requestSent)
      continue
    }
    if (code === "UND_ERR_PRX_TLS") {
      return new Errors.ProxyError(withCommon(common, { proxy: proxy?.url ?? "in use", code }), true)
    }
    if (
      proxy !== undefined && atProxy(node) &&
      (code === "ECONNREFUSED" || RESET_CODES.has(code) || UNREACHABLE_CODES.has(code) || code === "ETIMEDOUT")
    ) {
      return new Errors.ProxyError(withCommon(common, { proxy: proxy.url, code }), true)
    }
    if (DNS_ONLY.has(code) || (DNS_SHARED.has(code) && isDnsSyscall(node.syscall))) {
      if (proxy !== undefined && node.hostname !== undefined && sameHost(node.hostname, proxy.host)) {
        return new Errors.ProxyError(withCommon(common, { proxy: proxy.url, code }), true)
      }
      const hostname = node.hostname ?? hostOf()
      return new Errors.DnsError(
        withCommon(common, {
          hostname,
          code,
          temporary: DNS_TEMPORARY.has(code),
          queries: dnsQueries(node, hostname, code)
        }),
        true
      )
    }
    if (code === "ECONNREFUSED") {
      return new Errors.ConnectionRefused(
        withCommon(common, {
          address: node.address ?? hostOf(),
          port: node.port ?? defaultPort(parsed)
        }),
        true
      )
    }
    if (UNREACHABLE_CODES.has(code)) {
      return new Errors.NetworkUnreachable(
        node.address === undefined ? withCommon(common, { code }) : withCommon(common, { code, address: node.address }),
        true
      )
    }
    if (code === "ETIMEDOUT") {
      if (node.syscall === "connect" || phase === "connect" || (node.syscall === undefined && !requestSent)) {
        return new Errors.ConnectTimeout(
          withCommon(common, { timeoutMs: context.connectTimeoutMs ?? NO_TIMEOUT }),
          true
        )
      }
      return reset(common, code, phase, requestSent)
    }
    const h2 = http2Reset(code, node.message)
    if (h2 !== undefined) {
      return new Errors.ConnectionReset(
        withCommon(common, {
          code: h2.code,
          phase: phase === "body" ? "during-body" : "before-response",
          requestSent: phase === "body" ? true : requestSent,
          frame: h2.frame
        }),
        true
      )
    }
    if (MALFORMED_CODES.has(code) || code.startsWith("HPE_")) return malformed(common, code, node, requestSent)
    if (RESET_CODES.has(code)) return reset(common, code, phase, requestSent)
    if (code === "UND_ERR_CONNECT_TIMEOUT") {
      return new Errors.ConnectTimeout(withCommon(common, { timeoutMs: context.connectTimeoutMs ?? NO_TIMEOUT }), true)
    }
    if (code === "UND_ERR_HEADERS_TIMEOUT") {
      return new Errors.ResponseTimeout(
        withCommon(common, { timeoutMs: context.responseTimeoutMs ?? NO_TIMEOUT }),
        true
      )
    }
    if (code === "UND_ERR_BODY_TIMEOUT") {
      return new Errors.BodyTimeout(
        withCommon(common, {
          timeoutMs: context.bodyIdleTimeoutMs ?? NO_TIMEOUT,
          bytesReceived: 0
        }),
        true
      )
    }
    if (code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") {
      // a transport that enforces its own limit names it on the error (`limit`)
      return new Errors.BodyTooLarge(
        withCommon(common, { limit: node.limit ?? context.maxBodySize ?? NO_TIMEOUT }),
        true
      )
    }
    const reason = tlsReason(code)
    if (reason !== undefined) return new Errors.TlsError(withCommon(common, { reason, code }), true)
    if (code.startsWith("HPE_") || node.name === "HTTPParserError") return malformed(common, code, node, requestSent)
    if (code === "ERR_INVALID_URL") {
      return new Errors.InvalidUrl(withCommon(common, { reason: node.message || "cannot be parsed" }), true)
    }
    if (INVALID_REQUEST_CODES.has(code) || (code === "UND_ERR_INVALID_ARG" && !/proxy/i.test(node.message))) {
      return new Errors.InvalidRequest(withCommon(common, { reason: node.message || code }), true)
    }
    if (code === "UND_ERR_CLOSED" || code === "UND_ERR_DESTROYED") {
      return new Errors.TransportError(
        withCommon(common, {
          reason: "closed",
          code,
          description: "the connection pool is closed",
          requestSent: false
        }),
        true
      )
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
    return new Errors.TransportError(
      withCommon(common, {
        reason: "opaque-network",
        code: "TypeError",
        description: opaque.describe(undefined, hidden.message),
        requestSent: "unknown",
        likely: "unknown"
      }),
      true
    )
  }
  return new Errors.TransportError(
    withCommon(common, {
      reason: "unknown",
      code: first?.code ?? (first?.name || "UNKNOWN"),
      description: first?.message || "unknown failure",
      requestSent
    }),
    true
  )
}
