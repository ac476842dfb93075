/**
 * How a test starts the real `steadfast` command on the Effect 3 line: Node
 * on the sources (`--import tsx`, the "@steadfast/source" condition), so the
 * suite needs no build. Same names as `../effect4/command.ts`. See
 * docs/design.md, "Two Effect lines".
 */
import * as path from "node:path"

/** Node's arguments that run the `steadfast` command of this line, from the repository's root `root`; the command's own follow. */
export const steadfastCommand = (root: string): ReadonlyArray<string> => [
  "--conditions=@steadfast/source",
  "--import",
  "tsx",
  path.join(root, "packages/node/src/bin/steadfast.ts")
]
