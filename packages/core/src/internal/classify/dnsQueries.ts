/**
 * The DNS questions behind a resolver failure, for `DnsError.queries`.
 */
import type * as Errors from "../../Errors.js"
import type { Node } from "./chain.js"

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
export const dnsQueries = (node: Node, hostname: string, code: string): ReadonlyArray<Errors.DnsQuery> => {
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
