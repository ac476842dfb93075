/**
 * Relative links of the guides and READMEs point at files that exist (the
 * generated API reference under docs/api/ aside: `pnpm run docs` writes it).
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
})
