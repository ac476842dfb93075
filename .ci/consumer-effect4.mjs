// The consumer check of the Effect 4 line: the Effect 4 build of the three
// packages as a user gets it (docs/design.md, "Two Effect lines").
//
// 1. Stage each package's Effect 4 build (lines/effect4/<pkg>: its
//    package.json and dist/, which `pnpm test:effect4` builds from the same
//    sources) with the package's README, LICENSE and CHANGELOG, `npm pack`
//    it and inspect the tarball: the peers name effect 4, no file of the
//    Effect 3 line, every file the `exports` map names present.
// 2. Install the README's Effect 4 install lines (those without the
//    effect-3 dist-tag) into a fresh project in the system's temporary
//    directory, with the tarballs for our packages.
// 3. Run a program there: a FaultServer from the installed testkit resets
//    the first attempt, the installed node client retries it.
//
// Usage: node .ci/consumer-effect4.mjs [--keep]   (after `pnpm test:effect4`)
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { checkNamed, readJson } from "./shell.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const keep = process.argv.includes("--keep")
const packages = ["core", "node", "testkit"]

const { fail, run } = checkNamed("consumer check (Effect 4)")

const work = fs.mkdtempSync(path.join(os.tmpdir(), "steadfast-consumer-effect4-"))
const packs = path.join(work, "packs")
fs.mkdirSync(packs)

// --- 1. stage, pack and inspect ------------------------------------------------
const tarballs = {}
for (const name of packages) {
  const build = path.join(root, "lines", "effect4", name)
  if (!fs.existsSync(path.join(build, "dist", "index.js"))) {
    fail(`lines/effect4/${name}/dist is not built: run pnpm test:effect4 first`)
  }
  const stage = path.join(work, "stage", name)
  fs.mkdirSync(stage, { recursive: true })
  const { private: _private, ...manifest } = readJson(path.join(build, "package.json"))
  fs.writeFileSync(
    path.join(stage, "package.json"),
    JSON.stringify({ ...manifest, files: ["dist", "README.md", "LICENSE", "CHANGELOG.md"] }, null, 2)
  )
  fs.cpSync(path.join(build, "dist"), path.join(stage, "dist"), {
    recursive: true,
    filter: (file) => !file.endsWith(".tsbuildinfo")
  })
  for (const f of ["README.md", "LICENSE", "CHANGELOG.md"]) {
    fs.copyFileSync(path.join(root, "packages", name, f), path.join(stage, f))
  }
  const file = run("npm", ["pack", "--pack-destination", packs, "--loglevel=error"], { cwd: stage }).trim().split("\n")
    .pop()
  tarballs[name] = path.join(packs, file)
  const entries = run("tar", ["-tzf", tarballs[name]]).split("\n").filter(Boolean).map((e) =>
    e.replace(/^package\//, "")
  )
  const packed = JSON.parse(run("tar", ["-xzOf", tarballs[name], "package/package.json"]))
  const problems = []
  if (!/^\^4\./.test(packed.peerDependencies?.effect ?? "")) {
    problems.push(`its effect peer is ${packed.peerDependencies?.effect}`)
  }
  if (entries.some((e) => e.includes("line/effect3/"))) problems.push("ships a file of the Effect 3 line")
  const named = Object.values(packed.exports ?? {}).flatMap((v) => typeof v === "string" ? [v] : Object.values(v))
  for (const target of named.filter((t) => !t.includes("*"))) {
    if (!entries.includes(target.replace(/^\.\//, ""))) {
      problems.push(`exports names ${target}, which is not in the tarball`)
    }
  }
  if (problems.length > 0) fail(`@steadfast/${name} (Effect 4): ${problems.join("; ")}`)
  console.log(
    `packed @steadfast/${name} for Effect 4: ${entries.length} files, peers ${JSON.stringify(packed.peerDependencies)}`
  )
}

// --- 2. install the README's Effect 4 lines into a fresh project ------------------
const readmeSpecs = fs.readFileSync(path.join(root, "README.md"), "utf8").split("\n")
  .filter((line) => line.startsWith("npm install ") && line.includes("@steadfast/") && !line.includes("@effect-3"))
  .flatMap((line) => line.replace(/#.*$/, "").trim().split(/\s+/).slice(2))
  .filter((word) => !word.startsWith("-"))
  .map((spec) => spec.startsWith("@steadfast/") ? tarballs[spec.slice("@steadfast/".length)] ?? fail(`${spec}?`) : spec)
for (const p of packages) {
  if (!readmeSpecs.includes(tarballs[p])) fail(`the README's Effect 4 install lines do not install @steadfast/${p}`)
}
const app = path.join(work, "app")
fs.mkdirSync(app)
fs.writeFileSync(
  path.join(app, "package.json"),
  JSON.stringify({ name: "steadfast-consumer-effect4", private: true, type: "module" }, null, 2)
)
run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...readmeSpecs], { cwd: app })
const effectVersion = readJson(path.join(app, "node_modules", "effect", "package.json")).version
if (!effectVersion.startsWith("4.")) fail(`the README's Effect 4 lines installed effect ${effectVersion}`)
console.log(`installed in ${app}: effect ${effectVersion} and the Effect 4 tarballs`)

// --- 3. a resilient request against a local FaultServer ----------------------------
fs.copyFileSync(path.join(root, ".ci", "consumer-effect4", "resilient.mjs"), path.join(app, "resilient.mjs"))
console.log(run(process.execPath, ["resilient.mjs"], { cwd: app }).trim())

if (!keep) fs.rmSync(work, { recursive: true, force: true })
console.log("consumer check (Effect 4) passed")
