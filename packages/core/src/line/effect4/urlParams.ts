/**
 * A request's url parameters as `[key, value]` pairs on the Effect 4 line,
 * where `UrlParams` holds them in `params`, a value possibly `Redacted` (see
 * docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import type * as UrlParams from "effect/http/UrlParams"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** @internal */
export const urlParamsEntries = (params: UrlParams.UrlParams): ReadonlyArray<readonly [string, string]> =>
  params.params.map(([key, value]) => [key, Redacted.isRedacted(value) ? Redacted.value(value) : value] as const)

/** The full url of `url` with `params` and `hash` in place, or undefined when it does not parse. @internal */
export const makeUrl = (url: string, params: UrlParams.UrlParams, hash: Option.Option<string>): URL | undefined => {
  if (!URL.canParse(url)) return undefined
  const made = new URL(url)
  for (const [key, value] of urlParamsEntries(params)) made.searchParams.append(key, value)
  if (hash._tag === "Some") made.hash = hash.value
  return made
}
