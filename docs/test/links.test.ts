/**
 * Relative links of the guides and READMEs point at files that exist (the
 * generated API reference under docs/api/ aside: `pnpm run docs` writes it),
 * and a package README's relative links stay inside its package: the README
 * is shown on npm, where only the package's own files are there.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { guides } from "../sync.js"

const docsDir = path.resolve(__dirname, "..")

describe("links", () => {
  it.each(guides(docsDir).map((file) => [path.relative(path.dirname(docsDir), file), file]))(
    "%s: every relative link resolves",
    (_name, file) => {
      const text = fs.readFileSync(file, "utf8")
      const targets = Array.from(text.matchAll(/\]\(([^)\s]+)\)/g), (m) => m[1]!)
        .filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith("#"))
        .map((t) => path.resolve(path.dirname(file), t.split("#")[0]!))
        .filter((t) => !t.startsWith(path.join(docsDir, "api")))
      expect(targets.filter((t) => !fs.existsSync(t)).map((t) => path.relative(docsDir, t))).toEqual([])
    }
  )

  it.each(fs.readdirSync(path.join(docsDir, "..", "packages")).sort())(
    "packages/%s/README.md: relative links stay inside the published package",
    (pkg) => {
      const dir = path.join(docsDir, "..", "packages", pkg)
      const file = path.join(dir, "README.md")
      if (!fs.existsSync(file)) return
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        readonly files?: ReadonlyArray<string>
      }
      // what npm publishes of the package: its `files` (by their first segment) and the files npm always adds
      const published = new Set([...(manifest.files ?? []).map((f) => f.split("/")[0]!), "package.json", "README.md"])
      const outside = Array.from(fs.readFileSync(file, "utf8").matchAll(/\]\(([^)\s]+)\)/g), (m) => m[1]!)
        .filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith("#"))
        .filter((t) => {
          const relative = path.relative(dir, path.resolve(dir, t.split("#")[0]!))
          return relative.startsWith("..") || !published.has(relative.split(path.sep)[0]!)
        })
      expect(outside).toEqual([])
    }
  )
})
