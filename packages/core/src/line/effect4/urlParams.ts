/**
 * A request's url parameters as `[key, value]` pairs on the Effect 4 line,
 * where `UrlParams` holds them in `params`, a value possibly `Redacted` (see
 * docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import type * as UrlParams from "effect/http/UrlParams"
import * as Redacted from "effect/Redacted"

/** @internal */
export const urlParamsEntries = (params: UrlParams.UrlParams): ReadonlyArray<readonly [string, string]> =>
  params.params.map(([key, value]) => [key, Redacted.isRedacted(value) ? Redacted.value(value) : value] as const)
