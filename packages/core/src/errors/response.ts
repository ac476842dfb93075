/**
 * Answers the client does not hand over as a success: a failure status,
 * redirects it will not follow, a body too large or that does not decode.
 *
 * @since 0.1.0
 */
import * as Schema from "#line/Schema"
import { after, common, millis, TaggedError, target } from "../internal/taggedError.js"

const statusHint = (status: number, attempts: number): string => {
  if (status === 401 || status === 407) return "Check the credentials sent with the request."
  if (status === 403) return "The credentials are valid but not allowed to do this."
  if (status === 404) return "Check the url: the resource does not exist."
  if (status === 408 || status === 504) {
    return attempts > 1
      ? "The server or a gateway timed out on every attempt: check the server, or raise its timeout."
      : "The server or a gateway timed out: allow retries, or check the server."
  }
  if (status === 429) return "Rate limited: slow down, or honour Retry-After with a longer retry policy."
  if (status >= 500) {
    return attempts > 1
      ? "The server failed on every attempt: check the server's health."
      : "The server failed: check the server's health, or allow retries."
  }
  if (status >= 400) return "The server rejected the request: check its body and headers."
  return "The client's status policy treats this status as a failure."
}

/**
 * A response whose status the policy treats as a failure (by default any
 * status >= 400, after the retryable ones were retried).
 *
 * @since 0.1.0
 */
export class StatusError extends TaggedError<StatusError>()("StatusError", {
  ...common,
  status: Schema.Number,
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  retryAfterMs: Schema.optional(Schema.Number),
  body: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: the server answered ${this.status}${
      this.retryAfterMs === undefined ? "" : ` with Retry-After ${millis(this.retryAfterMs)}`
    } ${after(this.attempts)}. ${statusHint(this.status, this.attempts)}`
  }
}

/**
 * More redirects than allowed. `chain` lists the urls visited, in order
 * (redacted).
 *
 * @since 0.1.0
 */
export class TooManyRedirects extends TaggedError<TooManyRedirects>()("TooManyRedirects", {
  ...common,
  max: Schema.Number,
  chain: Schema.Array(Schema.String),
  loop: Schema.Boolean
}) {
  override get message(): string {
    const shown = this.chain.length > 6
      ? [...this.chain.slice(0, 3), "…", ...this.chain.slice(-2)]
      : this.chain
    return `${target(this.request)}: ${this.loop ? "redirect loop" : `more than ${this.max} redirects`} (${
      shown.join(" -> ")
    }) ${after(this.attempts)}. ` +
      (this.loop
        ? "The server redirects back to a url already visited; fix the server's redirect rules."
        : "Raise `redirects.max` if the chain is legitimate.")
  }
}

const redirectBlocks = {
  downgrade: [
    "https to http",
    "Allow it with `redirects.allowDowngrade` only if you accept sending the request in clear text."
  ],
  scheme: ["not an http(s) url", "Only http and https redirects are followed."],
  policy: ["refused by `redirects.allow`", "Your `redirects.allow` hook returned false for this target."],
  "invalid-location": [
    "the Location header is not a url",
    "The server sent a redirect that cannot be followed; fix its Location header."
  ],
  address: [
    "its address is refused by `allowAddress`",
    "The target is on an address this client must not reach (private, loopback, link-local…)."
  ],
  opaque: [
    "the browser hides the redirect",
    "fetch was told not to follow it (redirect: \"manual\") so that the client's redirect rules hold, and a " +
    "page cannot see where a redirect points. Call the final url directly, or drop the header listed in " +
    "`redirects.sensitiveHeaders` (or Authorization) from this request so the browser may follow it."
  ]
} as const

/**
 * A redirect that is not followed: https to http (`"downgrade"`), a scheme
 * other than http(s) (`"scheme"`), refused by the `redirects.allow` hook
 * (`"policy"`), a `Location` that is not a url (`"invalid-location"`), or a
 * target on an address the client's `allowAddress` refuses (`"address"`,
 * with `address` and its kind in `detail`), or, in a browser, a redirect
 * fetch did not follow so that the client's rules hold and whose target
 * the browser hides (`"opaque"`, see docs/browser.md).
 *
 * @since 0.1.0
 */
export class RedirectBlocked extends TaggedError<RedirectBlocked>()("RedirectBlocked", {
  ...common,
  location: Schema.String,
  reason: Schema.Literal("downgrade", "scheme", "policy", "invalid-location", "address", "opaque"),
  detail: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const [what, hint] = redirectBlocks[this.reason]
    return `${target(this.request)}: redirect to ${this.location} blocked (${what}${
      this.detail === undefined ? "" : `: ${this.detail}`
    }) ${after(this.attempts)}. ${hint}`
  }
}

/**
 * The response body passed the size limit.
 *
 * @since 0.1.0
 */
export class BodyTooLarge extends TaggedError<BodyTooLarge>()("BodyTooLarge", {
  ...common,
  limit: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: the response body passed the limit of ${this.limit} bytes ${
      after(this.attempts)
    }. ` +
      "Raise `maxBodySize` or stream the body with `execute`."
  }
}

/**
 * The body could not be decoded (not JSON, not UTF-8, a compressed body
 * that does not decompress) or failed its Schema.
 *
 * @since 0.1.0
 */
export class DecodeError extends TaggedError<DecodeError>()("DecodeError", {
  ...common,
  status: Schema.Number,
  reason: Schema.String,
  /** What to do about it, when the default ("check the Schema") does not fit: a broken compressed body. */
  hint: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: could not decode the ${this.status} response body: ${this.reason} (${
      after(this.attempts)
    }). ${this.hint ?? "Check that the endpoint returns what the Schema describes."}`
  }
}
