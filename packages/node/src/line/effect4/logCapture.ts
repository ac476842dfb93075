/**
 * Log lines captured instead of printed, on the Effect 4 line: the loggers
 * replaced (`Logger.layer`) by one that hands each message over. Same names
 * and the same level names as `src/line/effect3/logCapture.ts` (Effect 4
 * calls Effect 3's "Warning" level "Warn"). See docs/design.md, "Two Effect
 * lines".
 *
 * @internal
 */
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/** A layer under which every log message goes to `onMessage` (as text, with its level's name: "Warning", ...), not to the console. @internal */
export const captureLogs = (onMessage: (text: string, level: string) => void): Layer.Layer<never> =>
  Logger.layer([
    Logger.make(({ logLevel, message }) =>
      onMessage(
        Array.isArray(message) ? message.join(" ") : String(message),
        logLevel === "Warn" ? "Warning" : logLevel
      )
    )
  ])
