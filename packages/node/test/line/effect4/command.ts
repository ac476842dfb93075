/**
 * How a test starts the real `steadfast` command on the Effect 4 line: the
 * Effect 4 build of the package (lines/effect4/node/dist, which
 * lines/effect4/run.sh builds before the suite runs), whose imports resolve
 * to Effect 4 from lines/effect4/node_modules. Same names as
 * `../effect3/command.ts`. See docs/design.md, "Two Effect lines".
 */
import * as path from "node:path"

/** Node's arguments that run the `steadfast` command of this line, from the repository's root `root`; the command's own follow. */
export const steadfastCommand = (root: string): ReadonlyArray<string> => [
  path.join(root, "lines/effect4/node/dist/bin/steadfast.js")
]
