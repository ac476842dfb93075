/**
 * `effect/LogLevel` for the Effect 4 line, where a level is its name
 * (`"Debug"`, ...), with the names the shared source uses in their Effect 3
 * spelling: `Literal`, `fromLiteral`, `lessThan` (Effect 4: `isLessThan`),
 * `Debug`, `Warning` (Effect 4: `"Warn"`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as LogLevel from "effect/LogLevel"

export * from "effect/LogLevel"

/** @internal */
export type Literal = LogLevel.LogLevel

/** @internal */
export const fromLiteral = (literal: Literal): LogLevel.LogLevel => literal

/** @internal */
export const lessThan: typeof LogLevel.isLessThan = LogLevel.isLessThan

/** @internal */
export const Debug: LogLevel.LogLevel = "Debug"

/** @internal */
export const Warning: LogLevel.LogLevel = "Warn"
