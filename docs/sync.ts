/**
 * Keeps the code blocks of the guides equal to the files they show.
 *
 * In a guide, a block is written as
 *
 *     <!-- example: examples/retry.ts -->
 *     ```ts
 *     …
 *     ```
 *
 * or with `#name` after the path for the part of the file between
 * `// region: name` and `// endregion` comments. `pnpm docs:sync` rewrites the
 * blocks from the files; the docs test fails when they differ.
 */
import * as fs from "node:fs"
import * as path from "node:path"

const MARKER = /<!-- example: ([\w./-]+)(?:#([\w-]+))? -->\n```ts\n([\s\S]*?)```/g

/** The text a marker stands for. */
export const extract = (file: string, region: string | undefined): string => {
  const text = fs.readFileSync(file, "utf8")
  if (region === undefined) return text
  const start = text.indexOf(`// region: ${region}\n`)
  const end = text.indexOf("// endregion", start)
  if (start < 0 || end < 0) throw new Error(`${file} has no region "${region}"`)
  const body = text.slice(start + `// region: ${region}\n`.length, end)
  // remove the region's common indentation
  const lines = body.split("\n")
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length))
  return lines.map((l) => l.slice(indent)).join("\n").trimEnd() + "\n"
}

/** Every example block of a markdown file: where it points and what it holds. */
export const blocks = (markdown: string, dir: string) =>
  Array.from(markdown.matchAll(MARKER), (m) => ({
    file: path.join(dir, m[1]!),
    region: m[2],
    shown: m[3]!
  }))

/** The markdown with every example block rewritten from its file. */
export const sync = (markdown: string, dir: string): string =>
  markdown.replace(
    MARKER,
    (_all, file: string, region: string | undefined) =>
      `<!-- example: ${file}${region === undefined ? "" : `#${region}`} -->\n\`\`\`ts\n${
        extract(path.join(dir, file), region)
      }\`\`\``
  )

/**
 * The guides (every .md file of docs/), the repository's README and each
 * package's README, whose example blocks also point into docs/examples
 * (paths relative to docs/).
 */
export const guides = (docsDir: string): ReadonlyArray<string> => {
  const packagesDir = path.join(docsDir, "..", "packages")
  return [
    ...fs.readdirSync(docsDir).filter((f) => f.endsWith(".md")).map((f) => path.join(docsDir, f)),
    path.join(docsDir, "..", "README.md"),
    ...fs.readdirSync(packagesDir).sort().map((p) => path.join(packagesDir, p, "README.md")).filter((f) =>
      fs.existsSync(f)
    )
  ]
}

if (process.argv[1] !== undefined && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  const docsDir = path.dirname(new URL(import.meta.url).pathname)
  for (const guide of guides(docsDir)) {
    const text = fs.readFileSync(guide, "utf8")
    const next = sync(text, docsDir)
    if (next !== text) {
      fs.writeFileSync(guide, next)
      console.log(`updated ${path.relative(process.cwd(), guide)}`)
    }
  }
}
