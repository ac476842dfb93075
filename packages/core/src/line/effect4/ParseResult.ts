/**
 * A schema's decoding failure on the Effect 4 line (`Schema.SchemaError`),
 * under the Effect 3 names the shared source uses: `ParseError` and
 * `TreeFormatter.formatErrorSync`. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as Schema from "effect/Schema"

/** @internal */
export type ParseError = Schema.SchemaError

/** @internal */
export const TreeFormatter = {
  formatErrorSync: (error: ParseError): string => error.message
}
