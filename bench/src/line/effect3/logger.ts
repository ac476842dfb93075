/** The bench's Effect 3 seam for its runtimes' logging (docs/design.md, "Two Effect lines"). */
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/**
 * Effect's default logger prints to the console; the benchmark removes it so
 * log lines (steadfast logs each retry) cost their formatting, not terminal I/O.
 */
export const quietLogger: Layer.Layer<never> = Logger.remove(Logger.defaultLogger)
