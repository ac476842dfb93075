/** The bench's Effect 4 seam for its runtimes' logging (docs/design.md, "Two Effect lines"). */
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/**
 * Effect's default logger prints to the console; the benchmark removes every
 * logger (`Logger.layer([])` replaces them) so log lines cost their
 * formatting, not terminal I/O.
 */
export const quietLogger: Layer.Layer<never> = Logger.layer([])
