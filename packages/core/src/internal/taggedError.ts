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
 * `Schema.TaggedError`, whose instances keep no secret: the constructor
 * replaces `cause` with a safe summary (see `internal/cause.ts`) and
 * redacts sensitive headers and quoted text, so `toJSON`, `util.inspect`,
 * loggers and span exit data cannot print a token, whoever builds the error.
 */
export const TaggedError = <Self>() =>
<Tag extends string, Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: Fields
): Schema.TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields> => {
  const Base = (Schema.TaggedError<Self>() as any)(tag, fields) as new(props: any, options?: any) => object
  class Safe extends Base {
    constructor(props: any, options?: any) {
      super(safeProps(props), options)
    }
  }
  markSafe(Safe.prototype)
  return Safe as any
}

export const target = (r: RequestInfo) => `${r.method} ${r.url}`
export const after = (attempts: number) => attempts === 1 ? "after 1 attempt" : `after ${attempts} attempts`
export const millis = (ms: number) => Duration.format(Duration.millis(ms))
