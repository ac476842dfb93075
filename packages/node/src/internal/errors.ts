/**
 * The one failure of building a pool: options that cannot be used.
 *
 * @internal
 */
import * as Schema from "@steadfast/core/line/Schema"

/** @internal */
export class InvalidPoolOptions extends Schema.TaggedError<InvalidPoolOptions>()("InvalidPoolOptions", {
  option: Schema.String,
  reason: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `steadfast pool: invalid option ${this.option}: ${this.reason}`
  }
}
