/**
 * Errors with exactly the shapes Node and undici 7 produce on real sockets.
 *
 * Each factory builds the error a real failure would raise: the same class
 * (undici's own classes, so `instanceof errors.SocketError` holds; Node's
 * errno errors as `Error` subclasses named `Error`, as Node builds them), the
 * same `name`, `code`, `errno`, `syscall`, `address`, `port`, `hostname` and
 * the same `message` format. The SimulatedNetwork uses them as the `cause` of
 * its failures, so the classifier that reads a real socket error reads a
 * simulated one the same way. `test/NodeErrors.test.ts` provokes each real
 * error on loopback and compares shapes, so a Node or undici upgrade that
 * changes one fails a test.
 *
 * @example
 * ```ts
 * import * as NodeErrors from "@steadfast/testkit/NodeErrors"
 *
 * const cause = NodeErrors.refused({ address: "127.0.0.1", port: 8080 })
 * // Error: connect ECONNREFUSED 127.0.0.1:8080  { errno: -111, code: "ECONNREFUSED", syscall: "connect", … }
 * const thrownByFetch = NodeErrors.fetchFailed(cause)
 * // TypeError: fetch failed  { cause }
 * ```
 *
 * @since 0.1.0
 */
import type { Errors } from "@steadfast/core"
import * as util from "node:util"
import { errors as undici } from "undici"

/**
 * A Node system error (libuv or c-ares): `errno`, `code`, `syscall`, and the
 * peer's `address`/`port` or the `hostname` looked up when there is one.
 *
 * @since 0.1.0
 */
export interface SystemError extends Error {
  readonly errno: number | undefined
  readonly code: string
  readonly syscall: string
  readonly address?: string
  readonly port?: number
  readonly hostname?: string
}

/**
 * What undici records about a socket in a `SocketError` (its `socket` field).
 *
 * @since 0.1.0
 */
export interface SocketInfo {
  readonly localAddress?: string | undefined
  readonly localPort?: number | undefined
  readonly remoteAddress?: string | undefined
  readonly remotePort?: number | undefined
  readonly remoteFamily?: string | undefined
  readonly timeout?: number | undefined
  readonly bytesWritten?: number | undefined
  readonly bytesRead?: number | undefined
}

/**
 * A peer: the address a connection went to, and its port.
 *
 * @since 0.1.0
 */
export interface Peer {
  readonly address: string
  readonly port: number
}

/** Gives a class the name Node's has (bundlers rename classes that shadow globals). */
function named<C extends abstract new(...args: never) => unknown>(name: string, cls: C): C {
  Object.defineProperty(cls, "name", { value: name, configurable: true })
  return cls
}

// Node builds its errno errors with classes named `Error` that extend
// `Error` (`ExceptionWithHostPort`, `DNSException`, `UVException`), so
// `err.constructor.name` is "Error" and `String(err)` is "Error: …".
const SysError = named("Error", class extends globalThis.Error {})

// Node's internal `NodeError` (ERR_* codes): an `Error` subclass whose
// `toString` renders `Error [CODE]: message`.
const CodedError = named(
  "Error",
  class extends globalThis.Error {
    override toString(): string {
      return `${this.name} [${(this as unknown as { code: string }).code}]: ${this.message}`
    }
  }
)

// Node's `NodeAggregateError`: an `AggregateError` subclass with a `code`.
const AggError = named("AggregateError", class extends globalThis.AggregateError {})

let errnoByCode: Map<string, number> | undefined

/**
 * The errno Node reports for a libuv code on this platform (`-111` for
 * `ECONNREFUSED` on Linux, `-61` on macOS), from libuv's own table.
 */
const uvErrno = (code: string): number | undefined => {
  if (errnoByCode === undefined) {
    errnoByCode = new Map()
    for (const [errno, [name]] of util.getSystemErrorMap()) errnoByCode.set(name, errno)
  }
  return errnoByCode.get(code)
}

const systemError = (
  message: string,
  fields: {
    readonly errno: number | undefined
    readonly code: string
    readonly syscall: string
    readonly address?: string
    readonly port?: number
    readonly hostname?: string
  }
): SystemError => {
  const error = new SysError(message) as unknown as Record<string, unknown>
  // Assigned one by one, in Node's order, so the keys enumerate as Node's do.
  error["errno"] = fields.errno
  error["code"] = fields.code
  error["syscall"] = fields.syscall
  if (fields.hostname !== undefined) error["hostname"] = fields.hostname
  if (fields.address !== undefined) error["address"] = fields.address
  if (fields.port !== undefined) error["port"] = fields.port
  return error as unknown as SystemError
}

const withHostPort = (
  syscall: string,
  code: string,
  peer: { readonly address: string; readonly port?: number | undefined }
) =>
  systemError(
    `${syscall} ${code} ${peer.address}${peer.port === undefined || peer.port === 0 ? "" : `:${peer.port}`}`,
    {
      errno: uvErrno(code),
      code,
      syscall,
      address: peer.address,
      ...(peer.port === undefined || peer.port === 0 ? {} : { port: peer.port })
    }
  )

// ---------------------------------------------------------------------------
// DNS
// ---------------------------------------------------------------------------

/**
 * `getaddrinfo ENOTFOUND <hostname>`: the name does not exist (what
 * `dns.lookup`, and so every HTTP client, raises for an unknown host).
 *
 * @since 0.1.0
 */
export const notFound = (hostname: string): SystemError =>
  systemError(`getaddrinfo ENOTFOUND ${hostname}`, {
    errno: uvErrno("EAI_NONAME"),
    code: "ENOTFOUND",
    syscall: "getaddrinfo",
    hostname
  })

/**
 * `getaddrinfo EAI_AGAIN <hostname>`: the resolver did not answer in time; a
 * temporary failure.
 *
 * @since 0.1.0
 */
export const dnsTemporary = (hostname: string): SystemError =>
  systemError(`getaddrinfo EAI_AGAIN ${hostname}`, {
    errno: uvErrno("EAI_AGAIN"),
    code: "EAI_AGAIN",
    syscall: "getaddrinfo",
    hostname
  })

/**
 * The record types of c-ares queries (`dns.resolve*`), as they appear in
 * `syscall` (`queryA`, `queryAaaa`, …).
 *
 * @since 0.1.0
 */
export type RecordType = "A" | "AAAA" | "ANY" | "CNAME" | "MX" | "NS" | "SRV" | "TXT"

const querySyscall = (rrtype: RecordType): string => `query${rrtype.charAt(0)}${rrtype.slice(1).toLowerCase()}`

/**
 * A c-ares query failure (`dns.resolve4` and friends, and resolvers built
 * on them): `queryA ESERVFAIL <hostname>`. c-ares errors have an `errno`
 * key whose value is `undefined`.
 *
 * @since 0.1.0
 */
export const dnsQueryError = (
  code: "ESERVFAIL" | "EREFUSED" | "ETIMEOUT" | "ENOTFOUND" | "ENODATA" | "ECONNREFUSED",
  hostname: string,
  rrtype: RecordType = "A"
): SystemError => {
  const syscall = querySyscall(rrtype)
  return systemError(`${syscall} ${code} ${hostname}`, { errno: undefined, code, syscall, hostname })
}

/**
 * `queryA ESERVFAIL <hostname>`: the DNS server failed (SERVFAIL).
 *
 * @since 0.1.0
 */
export const dnsServerFailure = (hostname: string, rrtype: RecordType = "A"): SystemError =>
  dnsQueryError("ESERVFAIL", hostname, rrtype)

/**
 * `queryA EREFUSED <hostname>`: the DNS server refused the query (REFUSED).
 *
 * @since 0.1.0
 */
export const dnsRefused = (hostname: string, rrtype: RecordType = "A"): SystemError =>
  dnsQueryError("EREFUSED", hostname, rrtype)

/**
 * `queryA ETIMEOUT <hostname>`: no DNS server answered in time.
 *
 * @since 0.1.0
 */
export const dnsTimeout = (hostname: string, rrtype: RecordType = "A"): SystemError =>
  dnsQueryError("ETIMEOUT", hostname, rrtype)

// ---------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------

/**
 * `connect ECONNREFUSED <address>:<port>`: nothing listens there.
 *
 * @since 0.1.0
 */
export const refused = (peer: Peer): SystemError => withHostPort("connect", "ECONNREFUSED", peer)

/**
 * `read ECONNRESET`: the peer reset the connection (RST), before the
 * response or while the body was read.
 *
 * @since 0.1.0
 */
export const reset = (syscall: "read" | "write" = "read"): SystemError =>
  systemError(`${syscall} ECONNRESET`, { errno: uvErrno("ECONNRESET"), code: "ECONNRESET", syscall })

/**
 * `write EPIPE`: writing to a connection the peer already closed.
 *
 * @since 0.1.0
 */
export const brokenPipe = (): SystemError =>
  systemError("write EPIPE", { errno: uvErrno("EPIPE"), code: "EPIPE", syscall: "write" })

/**
 * `connect ENETUNREACH <address>:<port>`: no route to that network (an IPv6
 * address without IPv6 connectivity, a VPN down).
 *
 * @since 0.1.0
 */
export const networkUnreachable = (peer: Peer): SystemError => withHostPort("connect", "ENETUNREACH", peer)

/**
 * `connect EHOSTUNREACH <address>:<port>`: no route to that host.
 *
 * @since 0.1.0
 */
export const hostUnreachable = (peer: Peer): SystemError => withHostPort("connect", "EHOSTUNREACH", peer)

/**
 * `connect EHOSTDOWN <address>:<port>`: the host is down.
 *
 * @since 0.1.0
 */
export const hostDown = (peer: Peer): SystemError => withHostPort("connect", "EHOSTDOWN", peer)

/**
 * `EADDRNOTAVAIL`: the address cannot be used from here. With `syscall:
 * "connect"` (the default) the peer could not be reached from any local
 * address; with `"bind"` the local address asked for is not on this machine
 * (`bind EADDRNOTAVAIL 192.0.2.1`, no port).
 *
 * @since 0.1.0
 */
export const addressNotAvailable = (
  peer: { readonly address: string; readonly port?: number | undefined },
  syscall: "connect" | "bind" = "connect"
): SystemError => withHostPort(syscall, "EADDRNOTAVAIL", peer)

/**
 * `connect ETIMEDOUT <address>:<port>`: the kernel (or Node's
 * happy-eyeballs attempt timer) gave up connecting.
 *
 * @since 0.1.0
 */
export const timedOut = (peer: Peer): SystemError => withHostPort("connect", "ETIMEDOUT", peer)

/**
 * What Node's happy-eyeballs (`autoSelectFamily`, on by default since Node
 * 20) raises when every address of a name failed: an `AggregateError` with
 * an empty message, the per-address errors in `errors`, and the first one's
 * `code` (a name resolving to `::1` and `127.0.0.1` with nothing listening
 * gives one with `code: "ECONNREFUSED"`).
 *
 * @since 0.1.0
 */
export const allAddressesFailed = (
  errors: ReadonlyArray<SystemError>
): AggregateError & { readonly code: string | undefined } => {
  const error = new AggError([...errors]) as AggregateError & { code: string | undefined }
  error.code = errors[0]?.code
  return error
}

/**
 * undici's `SocketError: other side closed` (`UND_ERR_SOCKET`): the peer
 * closed the connection cleanly (FIN) before the response was complete —
 * before any byte, or in the middle of a body that promised more. `socket`
 * describes the connection as undici saw it.
 *
 * @since 0.1.0
 */
export const otherSideClosed = (socket: SocketInfo | null = defaultSocketInfo): undici.SocketError =>
  new (undici.SocketError as unknown as new(message: string, socket: SocketInfo | null) => undici.SocketError)(
    "other side closed",
    socket === null ? null : { ...defaultSocketInfo, ...socket }
  )

const defaultSocketInfo: SocketInfo = {
  localAddress: "127.0.0.1",
  localPort: 50000,
  remoteAddress: "127.0.0.1",
  remotePort: 80,
  remoteFamily: "IPv4",
  timeout: undefined,
  bytesWritten: 0,
  bytesRead: 0
}

// ---------------------------------------------------------------------------
// undici timeouts and limits
// ---------------------------------------------------------------------------

/**
 * undici's `ConnectTimeoutError` (`UND_ERR_CONNECT_TIMEOUT`):
 * `Connect Timeout Error (attempted address: host:port, timeout: 10000ms)`.
 * Give `attemptedAddresses` for the happy-eyeballs form
 * (`attempted addresses: a:443, b:443,`).
 *
 * @since 0.1.0
 */
export const connectTimeout = (options: {
  readonly hostname: string
  readonly port: number
  readonly timeoutMs: number
  readonly attemptedAddresses?: ReadonlyArray<string> | undefined
}): undici.ConnectTimeoutError => {
  const attempted = options.attemptedAddresses === undefined
    ? `attempted address: ${options.hostname}:${options.port},`
    : `attempted addresses: ${options.attemptedAddresses.join(", ")},`
  return new undici.ConnectTimeoutError(`Connect Timeout Error (${attempted} timeout: ${options.timeoutMs}ms)`)
}

/**
 * undici's `HeadersTimeoutError` (`UND_ERR_HEADERS_TIMEOUT`): no response
 * headers within `headersTimeout`.
 *
 * @since 0.1.0
 */
export const headersTimeout = (): undici.HeadersTimeoutError => new undici.HeadersTimeoutError()

/**
 * undici's `BodyTimeoutError` (`UND_ERR_BODY_TIMEOUT`): the body stalled
 * longer than `bodyTimeout`.
 *
 * @since 0.1.0
 */
export const bodyTimeout = (): undici.BodyTimeoutError => new undici.BodyTimeoutError()

/**
 * undici's `ResponseExceededMaxSizeError` (`UND_ERR_RES_EXCEEDED_MAX_SIZE`):
 * the body passed the dispatcher's `maxResponseSize`.
 *
 * @since 0.1.0
 */
export const responseExceededMaxSize = (): undici.ResponseExceededMaxSizeError =>
  new undici.ResponseExceededMaxSizeError()

/**
 * undici's `HTTPParserError`: the server sent bytes that are not HTTP/1.1.
 * `data` holds the offending bytes; `reason` is llhttp's (the default is
 * what it says when the response does not start with a status line).
 * undici 7 leaves `code` `undefined` here (it looks the numeric error up in
 * a name → number table), so classify it by `name`.
 *
 * @since 0.1.0
 */
export const httpParser = (options: {
  readonly data: string | Uint8Array
  readonly reason?: string | undefined
}): undici.HTTPParserError => {
  const reason = options.reason ?? "Expected HTTP/, RTSP/ or ICE/"
  const data = typeof options.data === "string" ? options.data : Buffer.from(options.data)
  return new (undici.HTTPParserError as unknown as new(
    message: string,
    code: string | undefined,
    data: string | Buffer
  ) => undici.HTTPParserError)(`Response does not match the HTTP/1.1 protocol (${reason})`, undefined, data)
}

// ---------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------

/**
 * A certificate verification error as OpenSSL reports it through Node: a
 * plain `Error` with the OpenSSL text as `message` and the X509 code as `code`.
 *
 * @since 0.1.0
 */
export interface TlsVerifyError extends Error {
  readonly code: string
}

const verifyError = (code: string, message: string): TlsVerifyError => {
  const error = new globalThis.Error(message) as unknown as Record<string, unknown>
  error["code"] = code
  return error as unknown as TlsVerifyError
}

/**
 * `DEPTH_ZERO_SELF_SIGNED_CERT`: the server's certificate is self-signed and
 * not trusted.
 *
 * @since 0.1.0
 */
export const selfSigned = (): TlsVerifyError => verifyError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate")

/**
 * `SELF_SIGNED_CERT_IN_CHAIN`: the chain ends in a self-signed root that is
 * not trusted.
 *
 * @since 0.1.0
 */
export const selfSignedInChain = (): TlsVerifyError =>
  verifyError("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain")

/**
 * `CERT_HAS_EXPIRED`: the certificate's `notAfter` is past.
 *
 * @since 0.1.0
 */
export const certExpired = (): TlsVerifyError => verifyError("CERT_HAS_EXPIRED", "certificate has expired")

/**
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`: the server sent its certificate without
 * the intermediate that signed it, and that issuer is not trusted here.
 *
 * @since 0.1.0
 */
export const unableToVerifyLeaf = (): TlsVerifyError =>
  verifyError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate")

/**
 * `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`: the chain leads to an issuer that is
 * not in the trusted store (a corporate CA, a missing `ca` option).
 *
 * @since 0.1.0
 */
export const unableToGetIssuerLocally = (): TlsVerifyError =>
  verifyError("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate")

/**
 * Node's `ERR_TLS_CERT_ALTNAME_INVALID` (from `tls.checkServerIdentity`).
 *
 * @since 0.1.0
 */
export interface AltnameInvalidError extends Error {
  readonly code: "ERR_TLS_CERT_ALTNAME_INVALID"
  readonly reason: string
  readonly host: string
  readonly cert: unknown
}

/**
 * `ERR_TLS_CERT_ALTNAME_INVALID`: the certificate does not cover the host
 * name. `altnames` is the certificate's `subjectaltname`
 * (`"DNS:other.test, DNS:www.other.test"`); for an IP `host` the reason reads
 * as Node's IP form. `cert` defaults to a minimal peer certificate object.
 *
 * @since 0.1.0
 */
export const altnameInvalid = (options: {
  readonly host: string
  readonly altnames?: string | undefined
  readonly cert?: unknown
}): AltnameInvalidError => {
  const altnames = options.altnames ?? "DNS:mismatch.test"
  const isIp = /^[\d.]+$/.test(options.host) || options.host.includes(":")
  const reason = isIp
    ? `IP: ${options.host} is not in the cert's list: ${
      altnames.split(", ").filter((n) => n.startsWith("IP Address:")).map((n) => n.slice(11)).join(", ")
    }`
    : `Host: ${options.host}. is not in the cert's altnames: ${altnames}`
  const error = new CodedError(`Hostname/IP does not match certificate's altnames: ${reason}`) as unknown as Record<
    string,
    unknown
  >
  // Node defines `message` after the fields; keep its key order.
  const message = error["message"]
  delete error["message"]
  error["code"] = "ERR_TLS_CERT_ALTNAME_INVALID"
  error["reason"] = reason
  error["host"] = options.host
  error["cert"] = options.cert ??
    { subject: { CN: altnames.split(", ")[0]?.replace(/^DNS:/, "") ?? "" }, subjectaltname: altnames }
  Object.defineProperty(error, "message", { value: message, enumerable: false, writable: true, configurable: true })
  return error as unknown as AltnameInvalidError
}

/**
 * An OpenSSL error raised by the handshake (Node >= 17 with OpenSSL 3):
 * `code` is `ERR_SSL_<REASON>`, plus `library` and `reason`.
 *
 * @since 0.1.0
 */
export interface SslError extends Error {
  readonly code: string
  readonly library: string
  readonly reason: string
}

/**
 * The OpenSSL handshake failures {@link handshake} knows how to render.
 *
 * @since 0.1.0
 */
export const sslErrors = {
  /** The peer does not speak TLS (an `https://` url on a plain-http port). */
  ERR_SSL_WRONG_VERSION_NUMBER: {
    reason: "wrong version number",
    detail:
      "0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:"
  },
  /** No TLS version in common (the server answered with a protocol_version alert). */
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: {
    reason: "tlsv1 alert protocol version",
    detail:
      "0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 70"
  },
  /** No cipher or parameters in common (handshake_failure alert). */
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: {
    reason: "sslv3 alert handshake failure",
    detail:
      "0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1605:SSL alert number 40"
  }
} as const

/**
 * A TLS handshake failure as Node >= 17 reports it:
 * `ERR_SSL_WRONG_VERSION_NUMBER` by default (an `https://` url on a port
 * that speaks plain http). The message carries OpenSSL's error line with a
 * zeroed thread id where the real one has the thread's address.
 *
 * @since 0.1.0
 */
export const handshake = (code: keyof typeof sslErrors = "ERR_SSL_WRONG_VERSION_NUMBER"): SslError => {
  const known = sslErrors[code]
  const error = new globalThis.Error(`0000000000000000:error:${known.detail}\n`) as unknown as Record<string, unknown>
  error["library"] = "SSL routines"
  error["reason"] = known.reason
  error["code"] = code
  return error as unknown as SslError
}

/**
 * `write EPROTO`: a TLS protocol error surfaced through the socket write, as
 * Node <= 16 reported handshake failures and as Node still does when OpenSSL
 * gives no reason. `detail` is appended to the message (older Nodes put the
 * OpenSSL line there).
 *
 * @since 0.1.0
 */
export const eproto = (detail?: string): SystemError =>
  systemError(`write EPROTO${detail === undefined ? "" : ` ${detail}`}`, {
    errno: uvErrno("EPROTO"),
    code: "EPROTO",
    syscall: "write"
  })

// ---------------------------------------------------------------------------
// Proxies
// ---------------------------------------------------------------------------

/**
 * What undici's `ProxyAgent` raises when the proxy answers `CONNECT` with a
 * status other than 200 (407 when it wants credentials):
 * `RequestAbortedError` (`name: "AbortError"`, `UND_ERR_ABORTED`),
 * `Proxy response (407) !== 200 when HTTP Tunneling`. This is the default
 * mode (`proxyTunnel: true`), used for every https target.
 *
 * @since 0.1.0
 */
export const proxyTunnelFailed = (status = 407): undici.RequestAbortedError =>
  new undici.RequestAbortedError(`Proxy response (${status}) !== 200 when HTTP Tunneling`)

/**
 * A proxy answering 407: with `tunnel` (the default, and always for https
 * targets) what {@link proxyTunnelFailed} gives; without (`proxyTunnel:
 * false` and an http target, where undici forwards the request) undici's
 * `InvalidArgumentError: Proxy Authentication Required (407)`.
 *
 * @since 0.1.0
 */
export const proxyAuthRequired = (
  options?: { readonly tunnel?: boolean | undefined }
): undici.RequestAbortedError | undici.InvalidArgumentError =>
  (options?.tunnel ?? true)
    ? proxyTunnelFailed(407)
    : new undici.InvalidArgumentError("Proxy Authentication Required (407)")

/**
 * The proxy is down: undici raises the plain `ECONNREFUSED` of the proxy's
 * own address and port (nothing in the error says it was the proxy, so a
 * classifier has to compare the address with the configured proxy).
 *
 * @since 0.1.0
 */
export const proxyDown = (proxy: Peer): SystemError => refused(proxy)

// ---------------------------------------------------------------------------
// fetch
// ---------------------------------------------------------------------------

/**
 * What `fetch` rejects with when the request fails before the response:
 * `TypeError("fetch failed", { cause })`. Like undici's fetch, an error
 * named `AbortError` coming from the dispatcher (a proxy tunnel refused)
 * is first wrapped in a `DOMException("Request was cancelled.")` whose
 * `cause` is the error.
 *
 * @since 0.1.0
 */
export const fetchFailed = (cause: unknown): TypeError => {
  const inner = cause instanceof globalThis.Error && cause.name === "AbortError" && !(cause instanceof DOMException)
    ? Object.assign(new DOMException("Request was cancelled."), { cause })
    : cause
  return new TypeError("fetch failed", { cause: inner })
}

/**
 * What reading a `fetch` body rejects with when the connection fails after
 * the headers: `TypeError("terminated", { cause })`.
 *
 * @since 0.1.0
 */
export const terminated = (cause: unknown): TypeError => new TypeError("terminated", { cause })

// ---------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------

/**
 * One entry of the {@link catalog}.
 *
 * - `name`: a stable, unique name (`"refused"`, `"tls-expired"`).
 * - `description`: what it stands for, in words.
 * - `make`: builds a fresh error (fixed example hosts and ports).
 * - `code`: the `code` the error carries (`undefined` for undici's
 *   `HTTPParserError`, which has none).
 * - `phase`: where in a request it happens.
 * - `tag`: the steadfast error `_tag` it should be classified as (for
 *   `"ConnectionReset"`, `phase` tells before-response from during-body).
 *
 * @since 0.1.0
 */
export interface Entry {
  readonly name: string
  readonly description: string
  readonly make: () => Error
  readonly code: string | undefined
  readonly phase: "dns" | "connect" | "tls" | "proxy" | "response" | "body"
  readonly tag: Errors.Tag
}

const peer: Peer = { address: "192.0.2.10", port: 443 }
const proxyPeer: Peer = { address: "192.0.2.20", port: 3128 }
const host = "api.example.test"

const entry = (
  name: string,
  description: string,
  make: () => Error,
  phase: Entry["phase"],
  tag: Errors.Tag
): Entry => ({ name, description, make, code: (make() as { code?: string }).code, phase, tag })

/**
 * Every failure this module can build, with what it stands for and the
 * steadfast `_tag` it maps to. Iterate it for classification table tests.
 *
 * @example
 * ```ts
 * import * as NodeErrors from "@steadfast/testkit/NodeErrors"
 *
 * for (const e of NodeErrors.catalog) {
 *   console.log(e.name, e.code, "->", e.tag)
 * }
 * ```
 *
 * @since 0.1.0
 */
export const catalog: ReadonlyArray<Entry> = [
  entry(
    "dns-not-found",
    "the host name does not exist (getaddrinfo ENOTFOUND)",
    () => notFound(host),
    "dns",
    "DnsError"
  ),
  entry(
    "dns-temporary",
    "the resolver did not answer in time (getaddrinfo EAI_AGAIN)",
    () => dnsTemporary(host),
    "dns",
    "DnsError"
  ),
  entry(
    "dns-servfail",
    "the DNS server failed (c-ares queryA ESERVFAIL)",
    () => dnsServerFailure(host),
    "dns",
    "DnsError"
  ),
  entry(
    "dns-refused",
    "the DNS server refused the query (c-ares queryA EREFUSED)",
    () => dnsRefused(host),
    "dns",
    "DnsError"
  ),
  entry("dns-timeout", "no DNS server answered (c-ares queryA ETIMEOUT)", () => dnsTimeout(host), "dns", "DnsError"),
  entry(
    "refused",
    "nothing listens at the address (connect ECONNREFUSED)",
    () => refused(peer),
    "connect",
    "ConnectionRefused"
  ),
  entry(
    "refused-all-addresses",
    "every address of the name refused (happy-eyeballs AggregateError, code ECONNREFUSED)",
    () => allAddressesFailed([refused({ address: "::1", port: 443 }), refused({ address: "127.0.0.1", port: 443 })]),
    "connect",
    "ConnectionRefused"
  ),
  entry(
    "network-unreachable",
    "no route to the network (connect ENETUNREACH)",
    () => networkUnreachable(peer),
    "connect",
    "NetworkUnreachable"
  ),
  entry(
    "host-unreachable",
    "no route to the host (connect EHOSTUNREACH)",
    () => hostUnreachable(peer),
    "connect",
    "NetworkUnreachable"
  ),
  entry("host-down", "the host is down (connect EHOSTDOWN)", () => hostDown(peer), "connect", "NetworkUnreachable"),
  entry(
    "address-not-available",
    "the address cannot be used from this machine (connect EADDRNOTAVAIL)",
    () => addressNotAvailable(peer),
    "connect",
    "NetworkUnreachable"
  ),
  entry(
    "connect-timed-out",
    "the kernel gave up connecting (connect ETIMEDOUT)",
    () => timedOut(peer),
    "connect",
    "ConnectTimeout"
  ),
  entry(
    "connect-timeout",
    "undici's connect timer fired (UND_ERR_CONNECT_TIMEOUT)",
    () => connectTimeout({ hostname: host, port: 443, timeoutMs: 10000 }),
    "connect",
    "ConnectTimeout"
  ),
  entry(
    "tls-self-signed",
    "self-signed server certificate (DEPTH_ZERO_SELF_SIGNED_CERT)",
    selfSigned,
    "tls",
    "TlsError"
  ),
  entry(
    "tls-self-signed-in-chain",
    "untrusted self-signed root in the chain (SELF_SIGNED_CERT_IN_CHAIN)",
    selfSignedInChain,
    "tls",
    "TlsError"
  ),
  entry("tls-expired", "expired certificate (CERT_HAS_EXPIRED)", certExpired, "tls", "TlsError"),
  entry(
    "tls-hostname-mismatch",
    "the certificate does not cover the host name (ERR_TLS_CERT_ALTNAME_INVALID)",
    () => altnameInvalid({ host }),
    "tls",
    "TlsError"
  ),
  entry(
    "tls-unable-to-verify-leaf",
    "missing intermediate certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
    unableToVerifyLeaf,
    "tls",
    "TlsError"
  ),
  entry(
    "tls-issuer-not-local",
    "the issuing CA is not trusted here (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)",
    unableToGetIssuerLocally,
    "tls",
    "TlsError"
  ),
  entry(
    "tls-wrong-version",
    "the port does not speak TLS (ERR_SSL_WRONG_VERSION_NUMBER)",
    () => handshake(),
    "tls",
    "TlsError"
  ),
  entry(
    "tls-protocol-version",
    "no TLS version in common (ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION)",
    () => handshake("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION"),
    "tls",
    "TlsError"
  ),
  entry("tls-eproto", "TLS protocol error on the socket (write EPROTO)", () => eproto(), "tls", "TlsError"),
  entry(
    "proxy-auth-required",
    "the proxy answered 407 to CONNECT (UND_ERR_ABORTED)",
    () => proxyTunnelFailed(407),
    "proxy",
    "ProxyError"
  ),
  entry(
    "proxy-auth-required-forward",
    "the forwarding proxy answered 407 (UND_ERR_INVALID_ARG)",
    () => proxyAuthRequired({ tunnel: false }),
    "proxy",
    "ProxyError"
  ),
  entry(
    "proxy-down",
    "the proxy refused the connection (ECONNREFUSED to the proxy's address; only that address tells it from a refused origin)",
    () => proxyDown(proxyPeer),
    "proxy",
    "ProxyError"
  ),
  entry(
    "reset-before-response",
    "the peer reset the connection before responding (read ECONNRESET)",
    () => reset(),
    "response",
    "ConnectionReset"
  ),
  entry(
    "broken-pipe",
    "the peer closed while the request was being written (write EPIPE)",
    brokenPipe,
    "response",
    "ConnectionReset"
  ),
  entry(
    "closed-before-response",
    "the peer closed cleanly before responding (UND_ERR_SOCKET other side closed)",
    () => otherSideClosed(),
    "response",
    "ConnectionReset"
  ),
  entry(
    "malformed-response",
    "the response is not HTTP/1.1 (undici HTTPParserError)",
    () => httpParser({ data: "SSH-2.0-OpenSSH_9.6\r\n\r\n" }),
    "response",
    "TransportError"
  ),
  entry(
    "headers-timeout",
    "undici's headersTimeout fired (UND_ERR_HEADERS_TIMEOUT)",
    headersTimeout,
    "response",
    "ResponseTimeout"
  ),
  entry(
    "reset-mid-body",
    "the peer reset the connection during the body (read ECONNRESET)",
    () => reset(),
    "body",
    "ConnectionReset"
  ),
  entry(
    "truncated-body",
    "the peer closed cleanly before the promised body length (UND_ERR_SOCKET other side closed)",
    () => otherSideClosed({ bytesRead: 512 }),
    "body",
    "ConnectionReset"
  ),
  entry("body-timeout", "undici's bodyTimeout fired (UND_ERR_BODY_TIMEOUT)", bodyTimeout, "body", "BodyTimeout"),
  entry(
    "response-too-large",
    "the body passed maxResponseSize (UND_ERR_RES_EXCEEDED_MAX_SIZE)",
    responseExceededMaxSize,
    "body",
    "BodyTooLarge"
  ),
  entry(
    "fetch-refused",
    "fetch's TypeError(\"fetch failed\") around ECONNREFUSED",
    () => fetchFailed(refused(peer)),
    "connect",
    "ConnectionRefused"
  ),
  entry(
    "fetch-terminated",
    "fetch's body TypeError(\"terminated\") around ECONNRESET",
    () => terminated(reset()),
    "body",
    "ConnectionReset"
  )
]
