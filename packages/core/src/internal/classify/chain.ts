/**
 * The cause chain of a failure, read without trusting its shape: every
 * error a transport (or what it wraps) may carry, as plain facts.
 */
import { platformReason } from "#line/platformReason"

export interface Node {
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
export const chain = (root: unknown): ReadonlyArray<Node> => {
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

export const firstMessage = (nodes: ReadonlyArray<Node>, from: number): string | undefined =>
  nodes.slice(from).find((n) => n.message !== "")?.message
