/**
 * `effect/ConfigProvider` for the Effect 4 line, with `fromMap` in its
 * Effect 3 spelling: a provider over a map of names (its path segments
 * joined by `pathDelim`, "." by default) — on Effect 4 an environment
 * provider over the same names with "_" between segments, as Effect 4's
 * environment provider reads them. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as ConfigProvider from "effect/ConfigProvider"

export * from "effect/ConfigProvider"

/** @internal */
export const fromMap = (
  map: ReadonlyMap<string, string>,
  options?: { readonly pathDelim?: string | undefined }
): ConfigProvider.ConfigProvider => {
  const delim = options?.pathDelim ?? "."
  const env: Record<string, string> = {}
  for (const [name, value] of map) env[name.split(delim).join("_")] = value
  // as Effect 3's map provider, an empty value is a value (Effect 4's environment provider reads it as unset)
  return ConfigProvider.fromEnv({ env, preserveEmptyStrings: true })
}
