/**
 * Redirect rules, followed in core so every transport gets the same ones.
 *
 * - At most `max` redirects (default 10), then `TooManyRedirects` with the
 *   chain; a redirect back to a url already visited is reported as a loop.
 * - 303, and 301/302 after POST, continue as GET without a body (HEAD stays
 *   HEAD); 307 and 308 keep the method and the body.
 * - When the origin (scheme, host, port) changes, `Authorization`, `Cookie`,
 *   `Proxy-Authorization` and the `sensitiveHeaders` you list are dropped,
 *   whatever their case.
 * - https → http, and targets that are not http(s), are `RedirectBlocked`
 *   unless `allowDowngrade` (or your `allow` hook) says otherwise.
 * - Your `allow(from, to)` hook decides first: `true` follows (even what the
 *   rules would block), `false` refuses (`RedirectBlocked`, reason
 *   `"policy"`), `undefined` leaves it to the rules.
 * - A `Location` that cannot be parsed is `RedirectBlocked` (reason
 *   `"invalid-location"`), not a 3xx returned as a success.
 *
 * @example
 * ```ts
 * import { Redirects } from "@steadfast/core"
 *
 * const strict = Redirects.make({ max: 3, sensitiveHeaders: ["x-api-key"] })
 * const never = Redirects.none
 * ```
 *
 * @since 0.1.0
 */
import { Headers, HttpBody, HttpClientRequest } from "#line/http"

/**
 * A resolved redirect policy.
 *
 * @since 0.1.0
 */
export interface Policy {
  readonly follow: boolean
  readonly max: number
  readonly allowDowngrade: boolean
  /** Lower-case names of headers dropped on a cross-origin redirect. */
  readonly sensitiveHeaders: ReadonlySet<string>
  readonly allow: Allow | undefined
}

/**
 * A redirect hook: `true` follows the redirect (even one the rules would
 * block), `false` refuses it, `undefined` leaves it to the rules.
 *
 * @example
 * ```ts
 * import { Redirects } from "@steadfast/core"
 *
 * // stay on api.example.com, whatever the rules would allow
 * const sameHost: Redirects.Allow = (_from, to) => to.hostname === "api.example.com" ? undefined : false
 * ```
 *
 * @since 0.1.0
 */
export type Allow = (from: URL, to: URL) => boolean | undefined

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 */
export interface Input {
  /** Follow redirects at all. @default true */
  readonly follow?: boolean | undefined
  /** @default 10 (browsers stop at 20 and curl at 50; ten covers any legitimate chain) */
  readonly max?: number | undefined
  /** Follow https → http. @default false */
  readonly allowDowngrade?: boolean | undefined
  /** More headers to drop when the origin changes (any case). @default [] */
  readonly sensitiveHeaders?: ReadonlyArray<string> | undefined
  /**
   * Decides first: `true` follows (even a downgrade or another scheme),
   * `false` refuses (`RedirectBlocked`, reason `"policy"`), `undefined`
   * leaves it to the rules. @default none
   */
  readonly allow?: Allow | undefined
}

const ALWAYS_SENSITIVE = ["authorization", "cookie", "proxy-authorization"]

/**
 * Builds a policy over the defaults.
 *
 * @since 0.1.0
 */
export const make = (input: Input = {}): Policy => ({
  follow: input.follow ?? true,
  max: input.max ?? 10,
  allowDowngrade: input.allowDowngrade ?? false,
  sensitiveHeaders: new Set([...ALWAYS_SENSITIVE, ...(input.sensitiveHeaders ?? []).map((h) => h.toLowerCase())]),
  allow: input.allow
})

/**
 * The default policy.
 *
 * @since 0.1.0
 */
export const defaults: Policy = make()

/**
 * Never follow: a 3xx is returned as it is.
 *
 * @since 0.1.0
 */
export const none: Policy = make({ follow: false })

/**
 * Whether a status is a redirect the client may follow.
 *
 * @since 0.1.0
 */
export const isRedirect = (status: number): boolean =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308

/**
 * What to do with a redirect response.
 *
 * @since 0.1.0
 */
export type Decision =
  | { readonly _tag: "Follow"; readonly request: HttpClientRequest.HttpClientRequest; readonly url: URL }
  | { readonly _tag: "Return" }
  | { readonly _tag: "Blocked"; readonly reason: BlockReason; readonly location: string }
  | { readonly _tag: "TooMany"; readonly loop: boolean }

/**
 * Why a redirect was not followed: an https → http `"downgrade"`, a
 * `"scheme"` other than http(s), the `allow` hook said no (`"policy"`), a
 * `Location` that is not a url (`"invalid-location"`), or a target whose
 * address the client's `allowAddress` refuses (`"address"`), or, in a
 * browser, a redirect fetch was told not to follow and whose target it
 * hides (`"opaque"`).
 *
 * @since 0.1.0
 */
export type BlockReason = "downgrade" | "scheme" | "policy" | "invalid-location" | "address" | "opaque"

const RETURN: Decision = { _tag: "Return" }

/**
 * Whether a body can be sent a second time.
 *
 * @since 0.1.0
 */
export const isReplayable = (body: HttpBody.HttpBody): boolean =>
  body._tag === "Empty" || body._tag === "Uint8Array" || body._tag === "FormData" ||
  (body._tag === "Raw" && (typeof body.body === "string" || body.body instanceof Uint8Array))

/**
 * Decides one redirect. `visited` holds `"METHOD href"` for every request
 * already made in this chain, the current one included; `followed` is how
 * many redirects were followed so far. Pure: no I/O.
 *
 * @since 0.1.0
 */
export const decide = (
  policy: Policy,
  request: HttpClientRequest.HttpClientRequest,
  from: URL,
  status: number,
  location: string | undefined,
  visited: ReadonlyArray<string>,
  followed: number
): Decision => {
  if (!policy.follow || !isRedirect(status) || location === undefined || location === "") return RETURN
  let to: URL
  try {
    to = new URL(location, from)
  } catch {
    return { _tag: "Blocked", reason: "invalid-location", location }
  }
  if (from.hash !== "" && to.hash === "") to.hash = from.hash
  const verdict = policy.allow?.(from, to)
  if (verdict === false) return { _tag: "Blocked", reason: "policy", location: to.href }
  const allowed = verdict === true
  if (to.protocol !== "http:" && to.protocol !== "https:" && !allowed) {
    return { _tag: "Blocked", reason: "scheme", location: to.href }
  }
  if (from.protocol === "https:" && to.protocol === "http:" && !policy.allowDowngrade && !allowed) {
    return { _tag: "Blocked", reason: "downgrade", location: to.href }
  }
  if (followed >= policy.max) return { _tag: "TooMany", loop: false }
  const toGet = status === 303
    ? request.method !== "HEAD"
    : (status === 301 || status === 302) && request.method === "POST"
  if (!toGet && !isReplayable(request.body)) return RETURN
  let headers = request.headers
  if (toGet) {
    headers = Headers.remove(headers, ["content-type", "content-length", "content-encoding", "transfer-encoding"])
  }
  if (to.origin !== from.origin) {
    headers = Headers.remove(headers, [...policy.sensitiveHeaders])
  }
  // rebuilt rather than modified: `modify` merges headers, and some must go
  const next = HttpClientRequest.make(toGet ? "GET" : request.method)(to, {
    headers,
    body: toGet ? HttpBody.empty : request.body
  })
  const method = next.method
  if (visited.includes(`${method} ${to.href}`)) return { _tag: "TooMany", loop: true }
  return { _tag: "Follow", request: next, url: to }
}
