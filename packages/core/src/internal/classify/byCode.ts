/**
 * The code table of the classifier: one node of a failure's cause chain
 * (an errno, undici `UND_ERR_*`, OpenSSL / Node TLS or HTTP parser code, or
 * undici's proxy message) to its tagged error, or `undefined` when the node
 * says nothing and the next one is read. `Classify.classify` asks it for
 * each node in turn, after the outcomes that do not depend on a code.
 *
 * @internal
 */
import type { Context } from "../../Classify.js"
import * as Errors from "../../Errors.js"
import { type Common, defaultPort, malformed, reset, sameHost, withCommon } from "./build.js"
import type { Node } from "./chain.js"
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
} from "./codes.js"
import { dnsQueries } from "./dnsQueries.js"
import { http2Reset } from "./http2.js"

/** A limit the caller did not give. */
const NO_TIMEOUT = Number.NaN

/** What the table reads besides the node: the failed exchange, resolved once per classification. @internal */
export interface Facts {
  readonly common: Common
  readonly context: Context
  readonly phase: "connect" | "response" | "body"
  readonly requestSent: boolean
  /** The request url, parsed (`undefined` when it does not parse). */
  readonly parsed: URL | undefined
  /** The proxy in use, its url redacted. */
  readonly proxy: { readonly url: string; readonly host: string; readonly port: number } | undefined
}

/** The tagged error `node` stands for, if its code (or message) says. @internal */
export const byCode = (node: Node, facts: Facts): Errors.HttpError | undefined => {
  const { common, context, parsed, phase, proxy, requestSent } = facts
  const hostOf = () => parsed?.hostname ?? ""
  const atProxy = proxy !== undefined && node.port === proxy.port &&
    (node.address === undefined || sameHost(node.address, proxy.host))
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
    return node.name === "HTTPParserError" ? malformed(common, "HPE_UNKNOWN", node, requestSent) : undefined
  }
  if (code === "UND_ERR_PRX_TLS") {
    return new Errors.ProxyError(withCommon(common, { proxy: proxy?.url ?? "in use", code }), true)
  }
  if (
    atProxy &&
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
  return undefined
}
