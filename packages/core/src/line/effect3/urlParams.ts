/**
 * A request's url parameters as `[key, value]` pairs on the Effect 3 line,
 * where `UrlParams` is that array already (see docs/design.md, "Two Effect
 * lines").
 *
 * @internal
 */
import * as UrlParams from "@effect/platform/UrlParams"
import type * as Option from "effect/Option"

/** @internal */
export const urlParamsEntries = (params: UrlParams.UrlParams): ReadonlyArray<readonly [string, string]> => params

/** The full url of `url` with `params` and `hash` in place, or undefined when it does not parse. @internal */
export const makeUrl = (url: string, params: UrlParams.UrlParams, hash: Option.Option<string>): URL | undefined => {
  const made = UrlParams.makeUrl(url, params, hash)
  return made._tag === "Right" ? made.right : undefined
}
