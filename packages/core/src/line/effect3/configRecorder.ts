/**
 * The two things `ConfigKeys` asks of a config provider, on the Effect 3
 * line: a provider that records every path a `Config` reads (and finds
 * nothing), and the names directly under a path (see docs/design.md, "Two
 * Effect lines").
 *
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as ConfigProviderPathPatch from "effect/ConfigProviderPathPatch"
import * as Effect from "effect/Effect"
import * as HashSet from "effect/HashSet"

/** A provider that calls `onPath` with each path read, and has nothing. @internal */
export const recorder = (onPath: (path: ReadonlyArray<string>) => void): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromFlat(ConfigProvider.makeFlat({
    load: (path) => {
      onPath(path)
      return Effect.fail(ConfigError.MissingData([...path], "recording the names a Config reads"))
    },
    enumerateChildren: () => Effect.succeed(HashSet.empty()),
    patch: ConfigProviderPathPatch.empty
  }))

/** The names `provider` has directly under `path`. @internal */
export const childrenOf = (
  provider: ConfigProvider.ConfigProvider,
  path: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, ConfigError.ConfigError> =>
  Effect.map(provider.flattened.enumerateChildren(path), (children) => [...children])
