/**
 * A proxy named by host name fails with its resolved address in the Node
 * error, which core's `Classify` cannot match to the name: the error is
 * wrapped so that it names the proxy.
 *
 * @internal
 */
import type { ProxyInfo } from "./route.js"

/** Connection-level failures to reach a proxy (a proxy named by host name is wrapped for `Classify`). */
const PROXY_CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EADDRNOTAVAIL"
])

/** A dead proxy named by host name: see `proxyCause`. @internal */
export class ProxyConnectionError extends Error {
  readonly code: string
  readonly address: string
  readonly port: number
  readonly syscall: string | undefined
  constructor(proxy: ProxyInfo, original: { readonly code: string; readonly syscall?: unknown }, cause: unknown) {
    super(`${original.code}: could not connect to the proxy ${proxy.url}`, { cause })
    this.name = "ProxyConnectionError"
    this.code = original.code
    this.address = proxy.host
    this.port = proxy.port
    this.syscall = typeof original.syscall === "string" ? original.syscall : undefined
  }
}

interface NodeErrorLike {
  readonly code?: unknown
  readonly port?: unknown
  readonly address?: unknown
  readonly hostname?: unknown
  readonly syscall?: unknown
  readonly message?: unknown
  readonly cause?: unknown
}

/** The error and its `cause`s, outermost first (at most 8). */
const causes = (error: unknown): Array<NodeErrorLike> => {
  const out: Array<NodeErrorLike> = []
  let current: unknown = error
  while (typeof current === "object" && current !== null && out.length < 8 && !out.includes(current)) {
    out.push(current as NodeErrorLike)
    current = (current as NodeErrorLike).cause
  }
  return out
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/
const isIp = (host: string) => IPV4.test(host) || host.includes(":")

/**
 * Core's `Classify` recognises a proxy failure by the address and port in the
 * Node error. A proxy given by host name fails with its resolved IP in
 * `address`, which `Classify` cannot match to the name: only then is the
 * original error wrapped in a `ProxyConnectionError` that carries the proxy's
 * name (and keeps the original, with its code, as `cause`).
 *
 * @internal
 */
export const proxyCause = (error: unknown, proxy: ProxyInfo): unknown => {
  if (isIp(proxy.host) || proxy.host === "localhost") return error
  for (const node of causes(error)) {
    if (
      typeof node.code === "string" && PROXY_CONNECT_CODES.has(node.code) && node.port === proxy.port &&
      typeof node.address === "string" && node.address !== proxy.host
    ) {
      return new ProxyConnectionError(proxy, { code: node.code, syscall: node.syscall }, error)
    }
  }
  return error
}
