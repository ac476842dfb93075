/**
 * The connection doctor: what a failure means and how to fix it (see `Doctor`).
 *
 * @internal
 */
import { Classify, type Errors } from "@steadfast/core"
import * as Duration from "@steadfast/core/line/Duration"
import type * as Doctor from "../../Doctor.js"

type Failure = Doctor.Failure
type Step = Doctor.Step

export const DEFAULT_TIMEOUT = Duration.seconds(5)
export const USER_AGENT = "steadfast-doctor/0.1.0"

export const ms = (n: number): string =>
  n < 10 ? `${n.toFixed(1)} ms` : n < 1000 ? `${Math.round(n)} ms` : Duration.format(Duration.millis(Math.round(n)))

// --- explanations -----------------------------------------------------------

export interface Where {
  readonly host: string
  readonly port: number
  readonly timeoutMs: number
  readonly proxy: string | undefined
}

export const statusFix = (status: number, retryAfterMs: number | undefined): string => {
  const wait = retryAfterMs === undefined ? "" : ` The server asks to wait ${ms(retryAfterMs)} (Retry-After).`
  if (status === 401 || status === 403) return "Send valid credentials; check the token and its permissions."
  if (status === 404) return "Check the path: the resource does not exist on this server."
  if (status === 407) return "The proxy wants credentials: put them in the proxy url (http://user:pass@host:port)."
  if (status === 429) return `You are rate limited: send fewer requests.${wait}`
  if (status === 503) return `The server is overloaded or in maintenance: retry later.${wait}`
  if (status >= 500) return `The server failed: check its logs and health.${wait}`
  return "The server rejected the request: check the url, headers and body it expects."
}

/** A steadfast error as the doctor explains it. */
export const describe = (step: Step, e: Errors.HttpError, where: Where): Failure => {
  const base = { step, _tag: e._tag }
  switch (e._tag) {
    case "DnsError":
      return e.temporary
        ? {
          ...base,
          code: e.code,
          explanation: `The DNS lookup of ${e.hostname} did not get an answer (${e.code}): a temporary failure.`,
          fix: "Check this machine's network and resolver (/etc/resolv.conf), then try again."
        }
        : {
          ...base,
          code: e.code,
          explanation: `The name ${e.hostname} does not exist in DNS (${e.code}).`,
          fix: "Check the host name for typos, /etc/hosts, and which DNS server this machine uses."
        }
    case "ConnectionRefused":
      return {
        ...base,
        code: "ECONNREFUSED",
        explanation: `Nothing listens on ${e.address}:${e.port}: the host refused the connection.`,
        fix: "Start the server, or check the port; a firewall that rejects (rather than drops) looks the same."
      }
    case "NetworkUnreachable":
      return {
        ...base,
        code: e.code,
        explanation: `There is no route to ${e.address ?? where.host} (${e.code}).`,
        fix:
          "Check the network interface, VPN and firewall; an IPv6 address without IPv6 connectivity is a common cause."
      }
    case "ConnectTimeout":
      return {
        ...base,
        explanation: `No connection to ${where.host}:${where.port} within ${ms(where.timeoutMs)}: packets are dropped.`,
        fix: "A firewall or security group drops the traffic, or the host is down; raise --timeout for a slow link."
      }
    case "TlsError": {
      const reason = { ...base, reason: e.reason, code: e.code }
      switch (e.reason) {
        case "self-signed":
          return {
            ...reason,
            explanation: `The server's certificate is self-signed (${e.code}), so nothing vouches for it.`,
            fix: "Trust its CA certificate with --ca (tls.ca in code); do not turn verification off."
          }
        case "expired":
          return {
            ...reason,
            explanation: `The server's certificate is outside its validity period (${e.code}).`,
            fix: "Renew the certificate on the server; if it looks valid, check this machine's clock."
          }
        case "hostname-mismatch":
          return {
            ...reason,
            explanation: `The server's certificate does not name ${where.host} (${e.code}).`,
            fix:
              "Use a host name the certificate lists, or reissue the certificate with this name (tls.servername picks the name checked)."
          }
        case "untrusted":
          return {
            ...reason,
            explanation: `The certificate chain does not lead to a trusted CA (${e.code}).`,
            fix: "Trust the issuing CA with --ca, or have the server send its intermediate certificates."
          }
        case "handshake":
          return {
            ...reason,
            explanation:
              `The TLS handshake failed (${e.code}): no protocol or cipher in common, or no TLS on this port.`,
            fix: "Check http:// versus https:// and the server's TLS settings (protocols, ciphers)."
          }
      }
      break
    }
    case "ProxyError":
      return {
        ...base,
        code: e.code,
        explanation: e.status === 407
          ? `The proxy ${e.proxy} asks for credentials (407).`
          : e.status !== undefined
          ? `The proxy ${e.proxy} answered ${e.status} to CONNECT: it could not or would not reach the target.`
          : `The proxy ${e.proxy} cannot be reached (${e.code}).`,
        fix: e.status === 407
          ? "Put valid credentials in the proxy url (http://user:pass@host:port)."
          : "Check that the proxy runs, and that HTTP_PROXY / HTTPS_PROXY / NO_PROXY (or --proxy) point where you mean."
      }
    case "ConnectionReset":
      return {
        ...base,
        code: e.code,
        explanation: `The connection was closed by the peer (${e.code}) before the response.`,
        fix: "Look at the server's logs; a proxy or load balancer in between may be dropping the request."
      }
    case "ResponseTimeout":
      return {
        ...base,
        explanation: `The server took the request but sent no response headers within ${ms(where.timeoutMs)}.`,
        fix: "The server is slow or stuck; raise --timeout if this endpoint is slow on purpose."
      }
    case "StatusError":
      return {
        ...base,
        explanation: `The server answered ${e.status}${
          e.retryAfterMs === undefined ? "" : ` with Retry-After ${ms(e.retryAfterMs)}`
        }.`,
        fix: statusFix(e.status, e.retryAfterMs)
      }
    case "TooManyRedirects":
      return {
        ...base,
        explanation: `More than ${e.max} redirects${e.loop ? " (a loop)" : ""}: ${e.chain.join(" -> ")}.`,
        fix: "Fix the redirect rules on the server."
      }
    case "RedirectBlocked":
      return {
        ...base,
        explanation: `A redirect to ${e.location} would send the request ${
          e.reason === "downgrade" ? "without TLS (https to http)" : "to a scheme other than http(s)"
        }; steadfast does not follow it.`,
        fix: "Make the server redirect to https; allow downgrades in code only if clear text is acceptable."
      }
    case "TransportError":
      return {
        ...base,
        code: e.code,
        explanation: `The exchange failed: ${e.description} (${e.code}).`,
        fix: e.reason === "malformed-response"
          ? "The port does not speak HTTP/1.1: check the port, and http:// versus https://."
          : "See the code above; `cause` in a program has the original error."
      }
    case "InvalidUrl":
      return {
        ...base,
        explanation: `The url is unusable: ${e.reason}.`,
        fix: "Give an absolute http:// or https:// url."
      }
    default:
      break
  }
  return { ...base, explanation: (e as Errors.HttpError).message, fix: "See the explanation." }
}

export const classify = (step: Step, error: unknown, url: URL, where: Where, phase: "connect" | "response"): Failure =>
  describe(
    step,
    Classify.classify(error, {
      method: "GET",
      url,
      phase,
      requestSent: false,
      connectTimeoutMs: where.timeoutMs,
      ...(where.proxy === undefined ? {} : { proxy: { url: where.proxy, host: where.host, port: where.port } })
    }),
    where
  )
