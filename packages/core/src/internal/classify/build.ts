/**
 * The pieces the classifier builds its errors from: the fields every error
 * shares, the two errors several codes lead to, and the url helpers.
 */
import * as Errors from "../../Errors.js"
import type { Node } from "./chain.js"

export type Common = {
  readonly request: Errors.RequestInfo
  readonly attempts: number
  readonly history: ReadonlyArray<Errors.AttemptRecord>
  readonly cause: unknown
}

/**
 * `common` with `fields`: what `{ ...common, ...fields }` gives, built with
 * `Object.assign` (V8 on Node 20 adds each field after a spread on a slow
 * path, about a microsecond apiece).
 */
export const withCommon = <F extends object>(common: Common, fields: F): Common & F => Object.assign({}, common, fields)

export const reset = (common: Common, code: string, phase: "connect" | "response" | "body", requestSent: boolean) =>
  new Errors.ConnectionReset(
    withCommon(common, {
      code,
      phase: phase === "body" ? "during-body" : "before-response",
      requestSent: phase === "body" ? true : requestSent
    }),
    true
  )

export const malformed = (common: Common, code: string, node: Node, requestSent: boolean) =>
  new Errors.TransportError(
    withCommon(common, {
      reason: "malformed-response",
      code,
      description: `malformed response: ${node.message || "not HTTP"}`,
      requestSent
    }),
    true
  )

export const safeUrl = (url: string): URL | undefined => {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

export const defaultPort = (url: URL | undefined): number =>
  url === undefined ? 0 : url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80

const stripBrackets = (host: string) => host.startsWith("[") ? host.slice(1, -1) : host
export const sameHost = (a: string, b: string) => {
  const x = stripBrackets(a).replace(/^::ffff:/, "")
  const y = stripBrackets(b).replace(/^::ffff:/, "")
  return x === y || (isLoopback(x) && isLoopback(y))
}
const isLoopback = (h: string) => h === "localhost" || h === "::1" || h.startsWith("127.")
