/**
 * A request's url parameters as `[key, value]` pairs on the Effect 3 line,
 * where `UrlParams` is that array already (see docs/design.md, "Two Effect
 * lines").
 *
 * @internal
 */
import type * as UrlParams from "@effect/platform/UrlParams"

/** @internal */
export const urlParamsEntries = (params: UrlParams.UrlParams): ReadonlyArray<readonly [string, string]> => params
