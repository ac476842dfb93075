/**
 * Proxy failures as undici reports them, and what `fetch` wraps failures in.
 */
import { errors as undici } from "undici"
import { refused } from "./connections.js"
import { type Peer, type SystemError } from "./system.js"
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
