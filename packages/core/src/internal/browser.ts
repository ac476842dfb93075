/**
 * What the generic transport does differently when it runs in a page (fetch
 * in a browser): which redirects fetch may follow itself, why a request
 * needs a CORS preflight, and what a page can see of a failure whose cause
 * the browser hides. Pure helpers; the transport (`transport.ts`) reads the
 * page's globals once per failure and hands them in.
 *
 * @internal
 */
import type { HttpClientRequest } from "#line/http"
import type * as Redirects from "../Redirects.js"

/** The page a transport runs in. @internal */
export interface Page {
  /** `location.origin` */
  readonly origin: string
  /** `location.protocol`, e.g. `"https:"` */
  readonly protocol: string
}

/**
 * The page this code runs in (a window or a worker), or `undefined` outside
 * a browser (Node has no `location`).
 *
 * @internal
 */
export const currentPage = (): Page | undefined => {
  const location = (globalThis as { readonly location?: { readonly origin?: unknown; readonly protocol?: unknown } })
    .location
  if (location === undefined || typeof location.origin !== "string" || typeof location.protocol !== "string") {
    return undefined
  }
  return { origin: location.origin, protocol: location.protocol }
}

/** `navigator.onLine`, where there is one. @internal */
export const onLine = (): boolean | undefined => {
  const navigator = (globalThis as { readonly navigator?: { readonly onLine?: unknown } }).navigator
  return typeof navigator?.onLine === "boolean" ? navigator.onLine : undefined
}

/** Hosts a browser treats as potentially trustworthy over http (no mixed-content block). */
const isLocalHost = (hostname: string): boolean =>
  hostname === "localhost" || hostname.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(hostname) ||
  hostname === "[::1]"

/** An http url from an https page: the browser blocks it before sending (mixed content). @internal */
export const isMixedContent = (page: Page, url: URL): boolean =>
  page.protocol === "https:" && url.protocol === "http:" && !isLocalHost(url.hostname)

const SIMPLE_METHODS = new Set(["GET", "HEAD", "POST"])
const SIMPLE_CONTENT_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"])
const SAFELISTED = new Set(["accept", "accept-language", "content-language"])
/** Headers a page may not set: the browser drops or sets them itself, so they never cause a preflight. */
const FORBIDDEN = new Set([
  "accept-charset",
  "accept-encoding",
  "connection",
  "content-length",
  "cookie",
  "date",
  "expect",
  "host",
  "keep-alive",
  "origin",
  "referer",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "via"
])

/** The headers @effect/platform adds when it propagates the current trace. */
const TRACE_HEADERS: ReadonlyArray<string> = ["b3", "traceparent"]

/**
 * Why a cross-origin request needs a CORS preflight: its method when it is
 * not GET, HEAD or POST, and the names of the headers that are not
 * CORS-safelisted (a `content-type` other than the three form types
 * included); `propagatesTrace` adds the trace headers the platform client
 * sets. Empty when it is a "simple" request.
 *
 * @internal
 */
export const preflightReasons = (
  request: HttpClientRequest.HttpClientRequest,
  propagatesTrace: boolean
): ReadonlyArray<string> => {
  const reasons: Array<string> = []
  if (!SIMPLE_METHODS.has(request.method)) reasons.push(`method ${request.method}`)
  for (const name of Object.keys(request.headers)) {
    if (SAFELISTED.has(name) || FORBIDDEN.has(name) || name.startsWith("sec-") || name.startsWith("proxy-")) continue
    if (name === "content-type") {
      const essence = (request.headers[name] ?? "").split(";")[0]!.trim().toLowerCase()
      if (SIMPLE_CONTENT_TYPES.has(essence)) continue
    }
    reasons.push(name)
  }
  if (propagatesTrace) { for (const name of TRACE_HEADERS) if (!reasons.includes(name)) reasons.push(name) }
  return reasons
}

/**
 * Whether fetch may follow redirects itself (`"follow"`) or must not
 * (`"manual"`: a redirect then fails as `RedirectBlocked` reason `"opaque"`,
 * since a page cannot see where it points). fetch follows only when every
 * rule of the client's policy that the browser does not apply itself cannot
 * be broken by any redirect:
 *
 * - the request carries no header the policy calls sensitive
 *   (`Authorization`, `Cookie`, `Proxy-Authorization`, `sensitiveHeaders`):
 *   the browser does not drop custom headers on a cross-origin redirect;
 * - there is no `allow` hook and no `allowAddress` guard (a page cannot run
 *   them on a redirect's target);
 * - an https url can only be downgraded to http from an http page (from an
 *   https page the browser blocks http as mixed content), unless
 *   `allowDowngrade`;
 * - redirects are followed at all (`follow: false` cannot return the 3xx:
 *   the browser hides it, so it fails typed).
 *
 * What the browser enforces itself when it follows: at most 20 redirects
 * (the policy's `max` is not applied), 303 and 301/302 after POST become
 * GET, and the CORS rules of every hop.
 *
 * @internal
 */
export const redirectMode = (
  policy: Redirects.Policy,
  allowAddress: unknown,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  page: Page
): "follow" | "manual" => {
  if (!policy.follow || policy.allow !== undefined || allowAddress !== undefined) return "manual"
  for (const name of Object.keys(request.headers)) if (policy.sensitiveHeaders.has(name)) return "manual"
  if (url.protocol === "https:" && page.protocol !== "https:" && !policy.allowDowngrade) return "manual"
  return "follow"
}
