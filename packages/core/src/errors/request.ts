/**
 * Requests that cannot be sent as they are: an unusable url or request.
 *
 * @since 0.1.0
 */
import * as Schema from "#line/Schema"
import { common, TaggedError, target } from "../internal/taggedError.js"

/**
 * The url cannot be parsed, its scheme is not http or https, or it leaves
 * the client's base url (another origin, or above the base path). `hint`
 * says what to do. Nothing was sent.
 *
 * @since 0.1.0
 */
export class InvalidUrl extends TaggedError<InvalidUrl>()("InvalidUrl", {
  ...common,
  reason: Schema.String,
  hint: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: invalid url, ${this.reason}. ${
      this.hint ?? "Use an absolute http:// or https:// url."
    }`
  }
}

/**
 * The request is malformed: a header name or value with CR/LF or other
 * forbidden characters, or a body that cannot be encoded; or it could not be
 * made ready (the client's token Effect or `mapRequestEffect` function
 * failed: that failure is the `cause`, and `hint` says so). Nothing was sent.
 *
 * @since 0.1.0
 */
export class InvalidRequest extends TaggedError<InvalidRequest>()("InvalidRequest", {
  ...common,
  reason: Schema.String,
  hint: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${target(this.request)}: invalid request, ${this.reason}. ${
      this.hint ?? "Nothing was sent; fix the request."
    }`
  }
}
