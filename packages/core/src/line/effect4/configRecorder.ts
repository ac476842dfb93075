/**
 * The two things `ConfigKeys` asks of a config provider, on the Effect 4
 * line: a provider that records every path a `Config` reads (and finds
 * nothing), and the names directly under a path (a `Record` node's keys, an
 * `Array` node's indexes). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"

/** A provider that calls `onPath` with each path read, and has nothing. @internal */
export const recorder = (onPath: (path: ReadonlyArray<string>) => void): ConfigProvider.ConfigProvider =>
  ConfigProvider.make((path) =>
    Effect.sync(() => {
      onPath(path.map(String))
      return undefined
    })
  )

/** The names `provider` has directly under `path`. @internal */
export const childrenOf = (
  provider: ConfigProvider.ConfigProvider,
  path: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, Config.ConfigError> =>
  Effect.mapError(
    Effect.map(provider.load([...path]), (node): ReadonlyArray<string> =>
      node === undefined || node._tag === "Value"
        ? []
        : node._tag === "Record"
        ? [...node.keys]
        : Array.from({ length: node.length }, (_, i) => String(i))),
    (error) => new Config.ConfigError(error)
  )
