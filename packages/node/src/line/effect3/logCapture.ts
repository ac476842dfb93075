/**
 * Log lines captured instead of printed, on the Effect 3 line: Effect's
 * default logger replaced by one that hands each message over (the doctor
 * shows what steadfast logged during its request). See docs/design.md, "Two
 * Effect lines".
 *
 * @internal
 */
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/** A layer under which every log message goes to `onMessage` (as text), not to the console. @internal */
export const captureLogs = (onMessage: (text: string) => void): Layer.Layer<never> =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ message }) => onMessage(Array.isArray(message) ? message.join(" ") : String(message)))
  )
