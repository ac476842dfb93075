/**
 * Resolver failures, as `dns.lookup` (getaddrinfo) and c-ares queries raise them.
 */
import { type SystemError, systemError, uvErrno } from "./system.js"
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
