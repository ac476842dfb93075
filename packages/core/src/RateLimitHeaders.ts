/**
 * What a server says about its rate limits, read from response headers.
 * Pure functions: no Effect runtime, `now` is passed in.
 *
 * Three families are read, the first one present wins:
 *
 * 1. The IETF httpapi draft (draft-ietf-httpapi-ratelimit-headers-10/11):
 *    `RateLimit-Policy: "default";q=100;w=60` (quota `q` per window `w`
 *    seconds, unit `qu`, partition key `pk`) and
 *    `RateLimit: "default";r=0;t=30` (`r` units remain, the window resets in
 *    `t` seconds). Both are Structured Field Lists (RFC 9651); a malformed
 *    field is ignored whole, as the draft asks. With several policies the
 *    one with the fewest remaining units counts. A `RateLimit` item without
 *    `t` takes the `w` of the policy of the same name as its reset.
 * 2. The earlier drafts' `RateLimit-Limit`, `RateLimit-Remaining`,
 *    `RateLimit-Reset` (still widely sent).
 * 3. The common `X-RateLimit-Limit`, `X-RateLimit-Remaining`,
 *    `X-RateLimit-Reset`.
 *
 * A reset in families 2 and 3 is read with {@link resetDelayMs}: GitHub and
 * X document it as a Unix time in seconds, most others as seconds from now.
 *
 * `Retry-After` (RFC 9110) is read on 429 and 503 only; when present it takes
 * precedence over the other fields, as the draft says.
 *
 * @example
 * ```ts
 * import { RateLimitHeaders } from "@steadfast/core"
 *
 * RateLimitHeaders.read(200, { ratelimit: "\"default\";r=0;t=30" }, 0)
 * // { remaining: 0, resetMs: 30000, … }
 * RateLimitHeaders.read(429, { "retry-after": "5" }, 0)?.retryAfterMs // 5000
 * ```
 *
 * @since 0.1.0
 */
import { type BareItem, parseList } from "./internal/structuredFields.js"
import * as RetryAfter from "./RetryAfter.js"

/**
 * One quota policy of a `RateLimit-Policy` field.
 *
 * @since 0.1.0
 */
export interface Policy {
  /** The policy's name (a String or, in earlier drafts, a Token). */
  readonly name: string
  /** `q`: quota units per window. */
  readonly quota: number
  /** `w`: the window in seconds, when given. */
  readonly windowSeconds: number | undefined
  /** `qu`: what is counted. @default "request" */
  readonly unit: string
}

/**
 * One service limit of a `RateLimit` field.
 *
 * @since 0.1.0
 */
export interface Limit {
  readonly name: string
  /** `r`: quota units left in the current window. */
  readonly remaining: number
  /** `t`: seconds until the window resets, when given. */
  readonly resetSeconds: number | undefined
}

/**
 * What one response says. Every field is `undefined` when the server did not
 * say it (or said it in a form that does not parse).
 *
 * @since 0.1.0
 */
export interface Observation {
  /** Requests (quota units) left before the window resets. */
  readonly remaining: number | undefined
  /** Milliseconds from `now` until the window resets. */
  readonly resetMs: number | undefined
  /** The quota per window, when the server says. */
  readonly limit: number | undefined
  /** The window in milliseconds, when the server says (IETF `w`). */
  readonly windowMs: number | undefined
  /** The `Retry-After` of a 429 or 503, in milliseconds. */
  readonly retryAfterMs: number | undefined
  /** Which family `remaining` and `resetMs` came from. */
  readonly source: "RateLimit" | "RateLimit-Remaining" | "X-RateLimit" | undefined
}

const nameOf = (value: BareItem): string | undefined =>
  value._tag === "String" || value._tag === "Token" ? value.value : undefined

const nonNegativeInteger = (value: BareItem | undefined): number | undefined =>
  value !== undefined && value._tag === "Number" && value.integer && value.value >= 0 ? value.value : undefined

/**
 * Parses a `RateLimit-Policy` field: its policies, or `[]` when the field is
 * missing or malformed. Items without a valid `q` are skipped.
 *
 * @since 0.1.0
 */
export const parsePolicies = (value: string | undefined): ReadonlyArray<Policy> => {
  if (value === undefined) return []
  const list = parseList(value)
  if (list === undefined) return []
  const out: Array<Policy> = []
  for (const member of list) {
    if (member._tag !== "Item") continue
    const name = nameOf(member.value)
    const quota = nonNegativeInteger(member.params.get("q"))
    if (name === undefined || quota === undefined) continue
    const w = member.params.get("w")
    const unit = member.params.get("qu")
    out.push({
      name,
      quota,
      windowSeconds: nonNegativeInteger(w),
      unit: unit !== undefined && (unit._tag === "String" || unit._tag === "Token") ? unit.value : "request"
    })
  }
  return out
}

/**
 * Parses a `RateLimit` field: its service limits, or `[]` when the field is
 * missing or malformed. Items without a valid `r` are skipped.
 *
 * @since 0.1.0
 */
export const parseLimits = (value: string | undefined): ReadonlyArray<Limit> => {
  if (value === undefined) return []
  const list = parseList(value)
  if (list === undefined) return []
  const out: Array<Limit> = []
  for (const member of list) {
    if (member._tag !== "Item") continue
    const name = nameOf(member.value)
    const remaining = nonNegativeInteger(member.params.get("r"))
    if (name === undefined || remaining === undefined) continue
    out.push({ name, remaining, resetSeconds: nonNegativeInteger(member.params.get("t")) })
  }
  return out
}

/**
 * How long until a reset given as a bare number (`X-RateLimit-Reset`,
 * `RateLimit-Reset`), in milliseconds from `nowMs`. Servers disagree on its
 * meaning: GitHub and X send a Unix time in seconds, most others the
 * seconds left. The rule, by magnitude against now:
 *
 * - a value of at least 10^12 that is more than half of now in Unix
 *   milliseconds is a Unix time in milliseconds;
 * - else a value of at least 10^9 (September 2001 as a Unix time, 31 years
 *   as a delay) that is more than half of now in Unix seconds is a Unix time
 *   in seconds;
 * - anything smaller is seconds from now.
 *
 * So a timestamp counts as one when it is nearer to now than to zero, and a
 * delay is never mistaken for one (no window lasts decades), even under a
 * virtual clock that starts at 0. A time in the past gives 0.
 *
 * @since 0.1.0
 */
export const resetDelayMs = (value: number, nowMs: number): number => {
  if (value >= 1e12 && value > nowMs / 2) return Math.max(0, Math.round(value - nowMs))
  if (value >= 1e9 && value > nowMs / 2000) return Math.max(0, Math.round(value * 1000 - nowMs))
  return Math.round(value * 1000)
}

const NUMBER = /^\s*(\d+(?:\.\d+)?)\s*(?:[,;]|$)/

/** The leading non-negative number of a legacy field (`"100"`, `"100, 100;w=60"`). */
const leadingNumber = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const m = NUMBER.exec(value)
  return m === null ? undefined : Number(m[1])
}

const legacy = (
  headers: Readonly<Record<string, string | undefined>>,
  prefix: string,
  nowMs: number
): { remaining: number; resetMs: number | undefined; limit: number | undefined } | undefined => {
  const remaining = leadingNumber(headers[`${prefix}-remaining`])
  if (remaining === undefined) return undefined
  const reset = leadingNumber(headers[`${prefix}-reset`])
  return {
    remaining: Math.floor(remaining),
    resetMs: reset === undefined ? undefined : resetDelayMs(reset, nowMs),
    limit: leadingNumber(headers[`${prefix}-limit`])
  }
}

const none: Observation = {
  remaining: undefined,
  resetMs: undefined,
  limit: undefined,
  windowMs: undefined,
  retryAfterMs: undefined,
  source: undefined
}

/**
 * Reads a response's rate-limit headers (names in lower case, as the
 * platform gives them). `undefined` when there is nothing to learn.
 *
 * @since 0.1.0
 */
export const read = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  nowMs: number
): Observation | undefined => {
  const retryAfterMs = status === 429 || status === 503 ? RetryAfter.parse(headers["retry-after"], nowMs) : undefined
  const limits = parseLimits(headers["ratelimit"])
  if (limits.length > 0) {
    const policies = parsePolicies(headers["ratelimit-policy"])
    let pick: { readonly limit: Limit; readonly resetSeconds: number | undefined } | undefined
    for (const limit of limits) {
      const resetSeconds = limit.resetSeconds ?? policies.find((p) => p.name === limit.name)?.windowSeconds
      if (
        pick === undefined || limit.remaining < pick.limit.remaining ||
        (limit.remaining === pick.limit.remaining && (resetSeconds ?? 0) > (pick.resetSeconds ?? 0))
      ) pick = { limit, resetSeconds }
    }
    const policy = policies.find((p) => p.name === pick!.limit.name)
    return {
      remaining: pick!.limit.remaining,
      resetMs: pick!.resetSeconds === undefined ? undefined : pick!.resetSeconds * 1000,
      limit: policy?.quota,
      windowMs: policy?.windowSeconds === undefined ? undefined : policy.windowSeconds * 1000,
      retryAfterMs,
      source: "RateLimit"
    }
  }
  const found = legacy(headers, "ratelimit", nowMs)
  const x = found === undefined ? legacy(headers, "x-ratelimit", nowMs) : undefined
  const chosen = found ?? x
  if (chosen !== undefined) {
    return {
      remaining: chosen.remaining,
      resetMs: chosen.resetMs,
      limit: chosen.limit,
      windowMs: undefined,
      retryAfterMs,
      source: found !== undefined ? "RateLimit-Remaining" : "X-RateLimit"
    }
  }
  return retryAfterMs === undefined ? undefined : { ...none, retryAfterMs }
}
