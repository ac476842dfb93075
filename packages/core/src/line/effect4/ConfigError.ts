/**
 * Config errors on the Effect 4 line, where one `ConfigError` (in
 * `effect/Config`) wraps the provider's `SourceError` or a schema error; the
 * constructors the shared source uses keep their Effect 3 names. See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"

/** @internal */
export type ConfigError = Config.ConfigError

/** The value at `path` is not valid: `message` says why. @internal */
export const InvalidData = (path: ReadonlyArray<string>, message: string): ConfigError =>
  new Config.ConfigError(
    new ConfigProvider.SourceError({ message: path.length > 0 ? `${path.join(".")}: ${message}` : message })
  )

/** Nothing was found at `path`. @internal */
export const MissingData = (path: ReadonlyArray<string>, message: string): ConfigError =>
  new Config.ConfigError(new ConfigProvider.SourceError({ message: `${path.join(".")}: ${message}` }))

/** @internal */
export const isConfigError = (u: unknown): u is ConfigError => u instanceof Config.ConfigError
