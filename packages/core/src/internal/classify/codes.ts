/**
 * The error codes the classifier knows, by family: DNS, resets, malformed
 * framing, unreachable networks, invalid requests, TLS and proxies.
 */
import type * as Errors from "../../Errors.js"

export const DNS_TEMPORARY = new Set(["EAI_AGAIN", "ESERVFAIL", "EREFUSED", "ETIMEOUT", "ECONNREFUSED", "EAI_SYSTEM"])
/** Codes only the resolver uses (getaddrinfo and c-ares). */
export const DNS_ONLY = new Set([
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
export const DNS_SHARED = new Set(["ECONNREFUSED", "EAI_SYSTEM"])
export const isDnsSyscall = (syscall: string | undefined) =>
  syscall !== undefined && (syscall === "getaddrinfo" || syscall.startsWith("query") || syscall === "getHostByAddr")

export const RESET_CODES = new Set([
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
export const MALFORMED_CODES = new Set([
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "HPE_UNEXPECTED_CONTENT_LENGTH",
  // the response head is larger than undici's maxHeaderSize: the response's fault, not the request's
  "UND_ERR_HEADERS_OVERFLOW"
])
export const UNREACHABLE_CODES = new Set(["ENETUNREACH", "EHOSTUNREACH", "EHOSTDOWN", "EADDRNOTAVAIL", "ENETDOWN"])
export const INVALID_REQUEST_CODES = new Set([
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

export const tlsReason = (code: string): Errors.TlsReason | undefined => {
  if (TLS_SELF_SIGNED.has(code)) return "self-signed"
  if (TLS_EXPIRED.has(code)) return "expired"
  if (TLS_HOSTNAME.has(code)) return "hostname-mismatch"
  if (TLS_UNTRUSTED.has(code)) return "untrusted"
  if (isTlsHandshake(code)) return "handshake"
  return undefined
}

export const PROXY_STATUS = /Proxy (?:response \((\d{3})\)|Authentication Required \((\d{3})\))/
