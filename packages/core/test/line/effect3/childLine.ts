/**
 * How a test starts a child Node process that runs a test fixture's
 * TypeScript on this suite's Effect line: on the Effect 3 line, the
 * packages' sources (`@steadfast/source`) through tsx. The Effect 4 suite
 * resolves this module to lines/effect4/test/child/line.ts, whose
 * arguments also send `effect` and `#line/*` to Effect 4.
 */
import { createRequire } from "node:module"

/** The arguments before the fixture's path: conditions and loaders. */
export const nodeArgs: ReadonlyArray<string> = [
  "--conditions=@steadfast/source",
  "--import",
  createRequire(import.meta.url).resolve("tsx")
]
