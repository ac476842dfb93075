/**
 * The catalog of the failures `NodeErrors` builds: each with a stable name,
 * what it stands for, where in a request it happens and the steadfast tag it
 * is classified as.
 */
import type { Errors } from "@steadfast/core"
import {
  addressNotAvailable,
  allAddressesFailed,
  brokenPipe,
  hostDown,
  hostUnreachable,
  networkUnreachable,
  otherSideClosed,
  refused,
  reset,
  timedOut
} from "./connections.js"
import { dnsRefused, dnsServerFailure, dnsTemporary, dnsTimeout, notFound } from "./dns.js"
import { fetchFailed, proxyAuthRequired, proxyDown, proxyTunnelFailed, terminated } from "./proxyFetch.js"
import type { Peer } from "./system.js"
import {
  altnameInvalid,
  certExpired,
  eproto,
  handshake,
  selfSigned,
  selfSignedInChain,
  unableToGetIssuerLocally,
  unableToVerifyLeaf
} from "./tls.js"
import { bodyTimeout, connectTimeout, headersTimeout, httpParser, responseExceededMaxSize } from "./undiciLimits.js"

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
