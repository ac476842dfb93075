/**
 * The install lines of the READMEs say what the packages declare: the Effect
 * 3 versions spelt out at the peer ranges the packages give (the consumer
 * check in .ci/run installs exactly the root README's lines), and the root
 * README's table of peer dependencies matches every package.json.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(__dirname, "../..")
const packages = ["core", "node", "testkit"]
const manifest = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(root, "packages", name, "package.json"), "utf8")) as {
    readonly version: string
    readonly peerDependencies: Record<string, string>
  }
const readmes = ["README.md", ...packages.map((p) => `packages/${p}/README.md`)]
const installLines = (file: string) =>
  fs.readFileSync(path.join(root, file), "utf8").split("\n").filter((l) => l.startsWith("npm install "))

describe("install lines", () => {
  it.each(readmes)("%s spells out effect and @effect/platform at the peer ranges", (file) => {
    const peers = manifest("core").peerDependencies
    const words = installLines(file).flatMap((l) => l.split(/\s+/))
    expect(words).toContain(`effect@${peers["effect"]}`)
    expect(words).toContain(`@effect/platform@${peers["@effect/platform"]}`)
    // never a bare name, which npm would resolve to the 4.x line
    expect(words.filter((w) => w === "effect" || w === "@effect/platform")).toEqual([])
  })

  it.each(readmes.slice(1))("%s installs its own package", (file) => {
    const name = `@steadfast/${file.split("/")[1]}`
    expect(installLines(file).some((l) => l.split(/\s+/).includes(name))).toBe(true)
  })

  it("every package declares the same Effect peer ranges", () => {
    const ranges = packages.map((p) => {
      const { effect, "@effect/platform": platform } = manifest(p).peerDependencies
      return [effect, platform]
    })
    expect(new Set(ranges.map((r) => r.join()))).toHaveLength(1)
  })

  it("the root README's table lists each package's peer dependencies", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
    for (const p of packages) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`@steadfast/${p}\` |`))
      expect(row, `a row for @steadfast/${p}`).toBeDefined()
      const peerCell = row!.split("|")[2]!
      for (const [name, range] of Object.entries(manifest(p).peerDependencies)) {
        // workspace:^ is what pnpm pack turns into ^<version>
        const shown = range === "workspace:^" ? `^${manifest(name.split("/")[1]!).version}` : range
        expect(peerCell).toContain(`\`${name}\` ${shown}`)
      }
    }
  })
})
