/**
 * Which Effect line a page is bundled for (docs/design.md, "Two Effect
 * lines"): the Effect 3 build resolves packages as a browser bundler in this
 * workspace does (core's dist, effect 3, `@effect/platform`); the Effect 4
 * build bundles core's sources with their Effect 4 seams against the effect
 * 4 install of lines/effect4, resolving as that line's suite does
 * (lines/effect4/vitest.config.ts):
 *
 * - `effect` and `effect/*` from lines/effect4/node_modules (effect 4);
 * - `@effect/platform` and `@effect/platform/*` as `effect/http` and
 *   `effect/http/*` (the guide's example is written in Effect 3 spelling);
 * - `@steadfast/core` from its sources (the `@steadfast/source` condition),
 *   core's `#line/*` from src/line/effect4 (the `@steadfast/effect4`
 *   condition), and `@steadfast/core/line/*` (the pages' seam, `./http.js`)
 *   from src/line/effect4 too.
 */
import type * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** An Effect line. */
export type Line = "effect3" | "effect4"

/** How a line is named in output. */
export const lineName = (line: Line): string => line === "effect3" ? "Effect 3" : "Effect 4"

/** The line named on the command line (`--line=effect4`), Effect 3 when none is. */
export const lineFromArgs = (args: ReadonlyArray<string>): Line => {
  const given = args.find((arg) => arg.startsWith("--line="))?.slice("--line=".length) ?? "effect3"
  if (given !== "effect3" && given !== "effect4") throw new Error(`--line=${given}: expected effect3 or effect4`)
  return given
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const effect4Dir = path.join(repo, "lines/effect4")

/** The resolution rules of the Effect 4 build (see the module's comment). */
const effect4Plugin: esbuild.Plugin = {
  name: "steadfast:effect4-line",
  setup(build) {
    const installed = path.join(effect4Dir, "node_modules") + path.sep
    // (marked, so that the resolution asked for here is esbuild's own, not this rule again)
    const fromLine = (specifier: string, kind: esbuild.ImportKind) =>
      build.resolve(specifier, { kind, resolveDir: effect4Dir, pluginData: effect4Dir })
    build.onResolve({ filter: /^(effect|@effect\/platform)(\/.*)?$/ }, (args) => {
      // effect's own imports resolve as they are
      if (args.pluginData === effect4Dir || args.importer.startsWith(installed)) return undefined
      const platform = /^@effect\/platform(\/.*)?$/.exec(args.path)
      return fromLine(platform === null ? args.path : `effect/http${platform[1] ?? ""}`, args.kind)
    })
    build.onResolve({ filter: /^@steadfast\/core\/line\// }, (args) => ({
      path: path.join(repo, "packages/core/src/line/effect4", `${args.path.slice("@steadfast/core/line/".length)}.ts`)
    }))
  }
}

/** The esbuild options that select `line`. */
export const lineOptions = (line: Line): Pick<esbuild.BuildOptions, "conditions" | "plugins"> => {
  if (line === "effect3") return {}
  if (!fs.existsSync(path.join(effect4Dir, "node_modules/effect/package.json"))) {
    throw new Error(
      "lines/effect4/node_modules/effect is missing: run `pnpm browser:check:effect4` (it installs lines/effect4) or `pnpm test:effect4`"
    )
  }
  return { conditions: ["@steadfast/effect4", "@steadfast/source"], plugins: [effect4Plugin] }
}

/**
 * Refuses an Effect 4 bundle that took a file from the workspace's Effect 3
 * install (`effect` 3 or `@effect/*` under node_modules/.pnpm), or took no
 * file of effect 4: `inputs` are the bundle's input paths (esbuild's metafile).
 */
export const checkInputs = (line: Line, inputs: ReadonlyArray<string>): void => {
  if (line === "effect3") return
  const effect3 = inputs.filter((input) => /node_modules\/\.pnpm\/(effect|@effect\+[^@/]+)@/.test(input))
  if (effect3.length > 0) {
    throw new Error(`the Effect 4 bundle read Effect 3 files (give the import a seam):\n  ${effect3.join("\n  ")}`)
  }
  const effect4 = path.join(effect4Dir, "node_modules/effect") + path.sep
  // (esbuild names the inputs relative to its working directory, the process's)
  if (!inputs.some((input) => path.resolve(input).startsWith(effect4))) {
    throw new Error("the Effect 4 bundle read no file of lines/effect4/node_modules/effect")
  }
}
