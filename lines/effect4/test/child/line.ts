// packages/core/test/helpers/childLine.ts on the Effect 4 line (vitest.config.ts
// resolves that module here): a child Node process that runs a test fixture's
// TypeScript reads the packages' sources with their Effect 4 seams
// (`@steadfast/effect4`: `#line/*` is src/line/effect4) through tsx, and
// resolves `effect`, `@effect/platform` and `@steadfast/*` as this suite does
// (hooks.mjs).
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

/** The arguments before the fixture's path: conditions and loaders. */
export const nodeArgs: ReadonlyArray<string> = [
  "--conditions=@steadfast/effect4",
  "--import",
  createRequire(import.meta.url).resolve("tsx"),
  "--import",
  fileURLToPath(new URL("register.mjs", import.meta.url))
]
