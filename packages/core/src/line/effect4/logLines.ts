/**
 * A test's view of the log: the lines an effect logs, as text, instead of
 * the loggers it had. Effect 3: `Logger.replace` of the default logger and
 * `Logger.withMinimumLogLevel`; Effect 4: the `CurrentLoggers` and
 * `MinimumLogLevel` references. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"

/** One logged entry: its message as logged, its level, and the fiber's log annotations. @internal */
export interface LogEntry {
  readonly message: unknown
  readonly level: LogLevel.LogLevel
  readonly annotations: Readonly<Record<string, unknown>>
}

/**
 * Runs `self` with each entry it logs at `minimum` or above given to
 * `onEntry` instead of being written out.
 *
 * @internal
 */
export const withLogEntries =
  (minimum: LogLevel.LogLevel, onEntry: (entry: LogEntry) => void) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    const logger = Logger.make(({ fiber, logLevel, message }) =>
      onEntry({ message, level: logLevel, annotations: { ...fiber.getRef(References.CurrentLogAnnotations) } })
    )
    return self.pipe(
      Effect.provideService(Logger.CurrentLoggers, new Set([logger])),
      Effect.provideService(References.MinimumLogLevel, minimum)
    )
  }

/**
 * Runs `self` with each line it logs at `minimum` or above given to `onLine`
 * (its message parts joined by a space, and its level) instead of being
 * written out.
 *
 * @internal
 */
export const withLogLines = (
  minimum: LogLevel.LogLevel,
  onLine: (line: string, level: LogLevel.LogLevel) => void
) =>
  withLogEntries(
    minimum,
    ({ level, message }) => onLine(Array.isArray(message) ? message.join(" ") : String(message), level)
  )

/**
 * A layer that gives each line logged (at the minimum level in force) to
 * `onLine` instead of the default logger.
 *
 * @internal
 */
export const logLinesLayer = (onLine: (line: string, level: LogLevel.LogLevel) => void): Layer.Layer<never> =>
  Logger.layer([
    Logger.make(({ logLevel, message }) =>
      onLine(Array.isArray(message) ? message.join(" ") : String(message), logLevel)
    )
  ])

/** The level of a warning as `withLogLines` names it (Effect 4: "Warn"). @internal */
export const Warning: LogLevel.LogLevel = "Warn"
