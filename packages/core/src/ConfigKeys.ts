/**
 * Settings read from the environment are easy to misspell, and a misspelt
 * variable is not an error: it is a setting silently not applied
 * (`STEADFAST_TIMEOUT_CONECT=2s` leaves the connect timeout at 5 s). This
 * module finds the variables under a prefix that a `Config` does not read,
 * and names the closest one it does.
 *
 * The names a `Config` reads are found by running it once against a provider
 * that records every path asked for; the names that are set come from the
 * current `ConfigProvider` (`enumerateChildren`, the environment by default).
 * `Client.layerConfig` and `NodeClient.layerConfig` log a warning for each
 * unknown variable.
 *
 * @example
 * ```ts
 * import { Client, ConfigKeys } from "@steadfast/core"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const env = ConfigProvider.fromMap(new Map([["STEADFAST_TIMEOUT_CONECT", "2 seconds"]]), { pathDelim: "_" })
 * const check = ConfigKeys.unknown(Client.config, "STEADFAST").pipe(Effect.withConfigProvider(env))
 * // [{ name: "STEADFAST_TIMEOUT_CONECT", suggestion: "STEADFAST_TIMEOUT_CONNECT" }]
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "#line/Config"
import * as ConfigError from "#line/ConfigError"
import { childrenOf, recorder as recording } from "#line/configRecorder"
import * as Effect from "#line/Effect"
import type * as ConfigProvider from "effect/ConfigProvider"

/**
 * A variable that is set under the prefix and that the `Config` does not read.
 *
 * @since 0.1.0
 */
export interface Unknown {
  /** The variable, as set (`STEADFAST_TIMEOUT_CONECT`). */
  readonly name: string
  /** The known variable closest to it, when one is close enough to be a likely misspelling. */
  readonly suggestion: string | undefined
}

/**
 * Every variable name `config` reads, under `prefix` (joined with `_`, as
 * environment variables are).
 *
 * @since 0.1.0
 */
export const known = (config: Config.Config<unknown>, prefix: string): Effect.Effect<ReadonlyArray<string>> =>
  Effect.suspend(() => {
    const paths = new Set<string>()
    const recorder = recording((path) => paths.add(path.join("_")))
    const nested = prefix === "" ? config : Config.nested(config, prefix)
    return Effect.withConfigProvider(Effect.either(nested), recorder).pipe(
      Effect.map(() => [...paths].sort())
    )
  })

/**
 * The variables set under `prefix` (in the current `ConfigProvider`) that
 * `config` does not read, each with the closest known name when one is close.
 * An empty prefix checks nothing (every variable of the environment would be
 * "unknown").
 *
 * @since 0.1.0
 */
export const unknown = (
  config: Config.Config<unknown>,
  prefix: string
): Effect.Effect<ReadonlyArray<Unknown>> =>
  prefix === "" ? Effect.succeed([]) : Effect.gen(function*() {
    const names = yield* known(config, prefix)
    const knownSet = new Set(names.map((n) => n.toUpperCase()))
    const provider = yield* Effect.configProviderWith(Effect.succeed)
    const set = yield* Effect.orElseSucceed(setUnder(provider, [prefix]), () => [])
    return set
      .filter((name) => !knownSet.has(name.toUpperCase()))
      .sort()
      .map((name) => ({ name, suggestion: closest(name, names) }))
  })

/**
 * Logs a warning for each variable {@link unknown} finds: what it is, that it
 * is ignored, and the closest known name.
 *
 * @since 0.1.0
 */
export const warnUnknown = (config: Config.Config<unknown>, prefix: string): Effect.Effect<void> =>
  Effect.flatMap(unknown(config, prefix), (found) => Effect.forEach(found, (u) => Effect.logWarning(message(u))))

/**
 * The warning for an unknown variable.
 *
 * @since 0.1.0
 */
export const message = (u: Unknown): string =>
  `${u.name} is set, but steadfast reads no such setting: it is ignored. ` +
  (u.suggestion === undefined
    ? "Check the name against the list of variables (NodeClient.layerConfig, Client.config)."
    : `Did you mean ${u.suggestion}?`)

/** Full names of the leaves under `path`: a variable with no longer variable under it. */
const setUnder = (
  provider: ConfigProvider.ConfigProvider,
  path: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, ConfigError.ConfigError> =>
  Effect.flatMap(childrenOf(provider, path), (children) => {
    const list = [...children]
    if (list.length === 0) return Effect.succeed(path.length > 1 ? [path.join("_")] : [])
    return Effect.map(
      Effect.forEach(list, (child) => setUnder(provider, [...path, child])),
      (nested) => nested.flat()
    )
  })

/** The known name at the smallest edit distance, when it is small for the name's length. */
const closest = (name: string, names: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of names) {
    const d = distance(name.toUpperCase(), candidate.toUpperCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  // a few letters off, for the part that follows the prefix
  const tail = name.length - name.indexOf("_") - 1
  return bestDistance <= Math.max(2, Math.ceil(tail * 0.5)) ? best : undefined
}

/** Levenshtein distance (insertions, deletions, substitutions). */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    previous = current
  }
  return previous[b.length]!
}
