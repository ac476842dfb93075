/**
 * What every error class is built from: the shared fields, a
 * `Schema.TaggedError` that keeps no secret, and the phrases messages share.
 */
import * as Duration from "#line/Duration"
import * as Schema from "#line/Schema"
import { AttemptRecord, RequestInfo } from "../errors/record.js"
import { markSafe, safeProps } from "./cause.js"

export const common = {
  request: RequestInfo,
  attempts: Schema.Number,
  history: Schema.Array(AttemptRecord),
  cause: Schema.optional(Schema.Defect),
  /** `"budget"`: the retry policy would have retried, the retry budget refused (see the `Budget` module). */
  retryRefused: Schema.optional(Schema.Literal("budget"))
}

/**
 * The second argument of an error's constructor for props that steadfast
 * built safe, for this instance: each field redacted as `safeProps` would
 * redact it (no foreign `cause`, headers through `redactHeaders`, a body
 * through `redactBody`), in a fresh object. Skips validation and the
 * `safeProps` pass, and the instance keeps the object instead of a copy.
 * Only the client's own builders pass it (`statusError`); a test checks
 * that what they build equals what `safeProps` makes of the same props.
 *
 * @internal
 */
export const builtSafe: unknown = Schema.ownedProps

/**
 * `Schema.TaggedError`, whose instances keep no secret: the constructor
 * replaces `cause` with a safe summary (see `internal/cause.ts`) and
 * redacts sensitive headers and quoted text, so `toJSON`, `util.inspect`,
 * loggers and span exit data cannot print a token, whoever builds the error
 * (steadfast's own builders that pass {@link builtSafe} redact as they build).
 */
export const TaggedError = <Self>() =>
<Tag extends string, Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: Fields
): Schema.TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields> => {
  const Base = (Schema.TaggedError<Self>() as any)(tag, fields) as new(props: any, options?: any) => object
  class Safe extends Base {
    constructor(props: any, options?: any) {
      super(options === builtSafe ? props : safeProps(props), options)
    }
  }
  markSafe(Safe.prototype)
  return Safe as any
}

export const target = (r: RequestInfo) => `${r.method} ${r.url}`
export const after = (attempts: number) => attempts === 1 ? "after 1 attempt" : `after ${attempts} attempts`
export const millis = (ms: number) => Duration.format(Duration.millis(ms))
