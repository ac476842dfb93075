/**
 * How a test starts a child Node process that runs a test fixture's
 * TypeScript on this suite's Effect line: on the Effect 4 line, the
 * packages' sources with their Effect 4 seams (`@steadfast/effect4`:
 * `#line/*` is src/line/effect4) through tsx, and `effect`,
 * `@effect/platform` and `@steadfast/core` resolved as the Effect 4 suite
 * resolves them (lines/effect4/test/child/hooks.mjs).
 */
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

/** The arguments before the fixture's path: conditions and loaders. */
export const nodeArgs: ReadonlyArray<string> = [
  "--conditions=@steadfast/effect4",
  "--import",
  createRequire(import.meta.url).resolve("tsx"),
  "--import",
  fileURLToPath(new URL("../../../../../lines/effect4/test/child/register.mjs", import.meta.url))
]
