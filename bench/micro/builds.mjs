// What the in-process A/B scripts (ab.mjs, core-ab.mjs, transport-ab.mjs)
// share: their arguments, the two steadfast builds they compare, and the
// bench's own copies of effect, @effect/platform and undici (the versions
// bench/ runs), loaded once for both builds.
//
//   <baseDir> <newDir> [rounds] [requests] [concurrency]
//
// <dir> is a snapshot made by ab-snapshot.sh, or "workspace" for this
// checkout's build.
import * as path from "node:path"
import { pathToFileURL } from "node:url"

/** The repository's root. */
export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..")

/** The command line's builds and bounds, with the script's own defaults for rounds and requests. */
export const abArgs = (defaults) => {
  const [baseDir = "workspace", newDir = "workspace"] = process.argv.slice(2)
  return {
    baseDir,
    newDir,
    rounds: Number(process.argv[4] ?? defaults.rounds),
    requests: Number(process.argv[5] ?? defaults.requests),
    conc: Number(process.argv[6] ?? 64)
  }
}

const entry = (dir, name) =>
  dir === "workspace"
    ? path.join(root, "packages", name, "dist/index.js")
    : path.join(dir, "node_modules/@steadfast", name, "dist/index.js")

/** A build's `@steadfast/<name>` module. */
export const loadPackage = (dir, name) => import(pathToFileURL(entry(dir, name)).href)

/** A build's core and node packages. */
export const loadBuild = async (dir) => ({ core: await loadPackage(dir, "core"), node: await loadPackage(dir, "node") })

/** A module of bench/node_modules, by its path there. */
export const benchModule = (file) => import(pathToFileURL(path.join(root, "bench/node_modules", file)).href)

/** effect and @effect/platform as bench/ has them. */
export const effect = await benchModule("effect/dist/esm/index.js")
export const platform = await benchModule("@effect/platform/dist/esm/index.js")
