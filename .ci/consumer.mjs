// The consumer check: the packages as a user gets them.
//
// 1. `pnpm pack` each package (after `pnpm build`) and inspect the tarball:
//    no `workspace:` range, no `@steadfast/source` condition, no build
//    artefact that does not run (`.tsbuildinfo`), README, LICENSE and
//    CHANGELOG present, every file the `exports` map and `bin` name present,
//    the peers declared, no @effect/platform-node dependency.
// 2. Install the tarballs with npm into a fresh project in the system's
//    temporary directory (outside the workspace: real copies, no links),
//    with the Effect 3 line at the packages' peer ranges, TypeScript and
//    @types/node at the workspace's versions.
// 3. Compile a program per package with that project's tsc, under
//    `moduleResolution` `bundler` and `node16`, with `skipLibCheck: false`
//    so the shipped declarations are checked too.
// 4. Run each program against a FaultServer started from the installed
//    testkit, and a plain-JavaScript ESM program; run the installed
//    `steadfast doctor` command.
// 5. Measure what installing @steadfast/node (and its peers) costs in an
//    empty directory.
//
// Usage: node .ci/consumer.mjs [--keep]   (run from anywhere; needs `pnpm build` first, on a clean dist/)
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { checkNamed, readJson } from "./shell.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const fixtures = path.join(root, ".ci", "consumer")
const keep = process.argv.includes("--keep")
const packages = ["core", "node", "testkit"]

const { fail, run } = checkNamed("consumer check")
const versionIn = (dir, name) => readJson(path.join(dir, "node_modules", name, "package.json")).version

const work = fs.mkdtempSync(path.join(os.tmpdir(), "steadfast-consumer-"))
if (path.relative(root, work).split(path.sep)[0] !== "..") fail(`${work} is inside the workspace`)
const packs = path.join(work, "packs")
fs.mkdirSync(packs)

// --- 1. pack and inspect ---------------------------------------------------
const tarballs = {}
for (const name of packages) {
  const dir = path.join(root, "packages", name)
  const before = new Set(fs.readdirSync(packs))
  run("pnpm", ["pack", "--pack-destination", packs], { cwd: dir })
  const file = fs.readdirSync(packs).find((f) => !before.has(f))
  if (file === undefined) fail(`pnpm pack wrote no tarball for ${name}`)
  tarballs[name] = path.join(packs, file)
  const entries = run("tar", ["-tzf", tarballs[name]]).split("\n").filter(Boolean).map((e) =>
    e.replace(/^package\//, "")
  )
  const manifestText = run("tar", ["-xzOf", tarballs[name], "package/package.json"])
  const manifest = JSON.parse(manifestText)
  const problems = []
  if (manifestText.includes("workspace:")) problems.push("a workspace: range is left in package.json")
  if (manifestText.includes("@steadfast/source")) problems.push("the @steadfast/source condition leaks into exports")
  for (const f of ["package.json", "README.md", "LICENSE", "CHANGELOG.md"]) {
    if (!entries.includes(f)) problems.push(`${f} is missing`)
  }
  const junk = entries.filter((e) => /\.tsbuildinfo$|(^|\/)test\/|\.test\.ts$/.test(e))
  if (junk.length > 0) problems.push(`ships build or test files: ${junk.join(", ")}`)
  // a compiled file whose source is gone is a leftover of an earlier build (clean dist/ before packing)
  const stale = entries.filter((e) =>
    /^dist\/.*\.js$/.test(e) && !entries.includes(e.replace(/^dist\//, "src/").replace(/\.js$/, ".ts"))
  )
  if (stale.length > 0) {
    problems.push(`dist/ holds files without a source (rm -rf dist, then build): ${stale.join(", ")}`)
  }
  const targets = []
  const collect = (value) => {
    if (typeof value === "string") targets.push(value)
    else if (value !== null && typeof value === "object") Object.values(value).forEach(collect)
  }
  collect(manifest.exports)
  collect(manifest.bin)
  // a subpath pattern (`./line/*`: core's seams for the sibling packages) must match at least one file
  const present = (target) => {
    const file = target.replace(/^\.\//, "")
    if (!file.includes("*")) return entries.includes(file)
    const [head, tail] = file.split("*")
    return entries.some((e) => e.startsWith(head) && e.endsWith(tail) && e.length > head.length + tail.length)
  }
  for (const t of targets) {
    if (!present(t)) problems.push(`${t} (from exports/bin) is not in the tarball`)
  }
  if (typeof manifest.exports?.["."]?.types !== "string") problems.push(`exports["."] has no types`)
  const peers = manifest.peerDependencies ?? {}
  for (const p of ["effect", "@effect/platform", ...(name === "core" ? [] : ["@steadfast/core"])]) {
    if (peers[p] === undefined) problems.push(`${p} is not a peer dependency`)
    if (manifest.dependencies?.[p] !== undefined) problems.push(`${p} is a dependency (it must be a peer)`)
  }
  if (manifest.dependencies?.["@effect/platform-node"] !== undefined) problems.push("depends on @effect/platform-node")
  if (problems.length > 0) fail(`${file}:\n  ${problems.join("\n  ")}`)
  const size = fs.statSync(tarballs[name]).size
  console.log(
    `packed ${file}: ${entries.length} files, ${(size / 1024).toFixed(0)} KiB; peers ${JSON.stringify(peers)}`
  )
}

// --- 2. install into a fresh project ----------------------------------------
const corePeers = readJson(path.join(root, "packages", "core", "package.json")).peerDependencies
const rootManifest = readJson(path.join(root, "package.json"))
const peerSpecs = [`effect@${corePeers.effect}`, `@effect/platform@${corePeers["@effect/platform"]}`]
const npmInstall = (dir, specs) => {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "steadfast-consumer", private: true, type: "module" }, null, 2)
  )
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...specs], { cwd: dir })
}
// the README's Effect 3 install lines (our packages under the dist-tag effect-3) as a reader types them, with
// the tarballs for our packages (.ci/consumer-effect4.mjs checks the Effect 4 lines)
const readmeSpecs = fs.readFileSync(path.join(root, "README.md"), "utf8").split("\n")
  .filter((line) => line.startsWith("npm install ") && line.includes("@steadfast/") && line.includes("@effect-3"))
  .flatMap((line) => line.replace(/#.*$/, "").trim().split(/\s+/).slice(2))
  .filter((word) => !word.startsWith("-"))
  .map((spec) =>
    spec.startsWith("@steadfast/")
      ? tarballs[spec.slice("@steadfast/".length).replace(/@effect-3$/, "")] ?? fail(`${spec}?`)
      : spec
  )
for (const p of packages) {
  if (!readmeSpecs.includes(tarballs[p])) fail(`the README's install lines do not install @steadfast/${p}`)
}
for (const spec of peerSpecs) {
  if (!readmeSpecs.includes(spec)) fail(`the README's install lines do not say ${spec} (the packages' peer range)`)
}
console.log(`the README's install lines: npm install ${readmeSpecs.map((s) => path.basename(s)).join(" ")}`)
const app = path.join(work, "app")
npmInstall(app, [
  ...readmeSpecs,
  `typescript@${rootManifest.devDependencies.typescript}`,
  `@types/node@${rootManifest.devDependencies["@types/node"]}`
])
for (const p of packages) {
  const installed = path.join(app, "node_modules", "@steadfast", p)
  if (fs.lstatSync(installed).isSymbolicLink()) fail(`@steadfast/${p} is a link, not an installed copy`)
}
if (fs.existsSync(path.join(app, "node_modules", "@effect", "platform-node"))) {
  fail("@effect/platform-node was installed: a package still depends on it")
}
console.log(
  `installed in ${app}: effect ${versionIn(app, "effect")}, @effect/platform ${
    versionIn(app, "@effect/platform")
  }, typescript ${versionIn(app, "typescript")}`
)

// --- 3. compile under bundler and node16 -------------------------------------
for (const f of fs.readdirSync(fixtures)) fs.copyFileSync(path.join(fixtures, f), path.join(app, f))
const programs = packages.map((p) => `${p}.ts`)
const compilerOptions = {
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  types: ["node"]
}
const tsconfigs = {
  bundler: { module: "preserve", moduleResolution: "bundler", noEmit: true },
  node16: { module: "node16", moduleResolution: "node16", outDir: "out" }
}
for (const [mode, options] of Object.entries(tsconfigs)) {
  const file = `tsconfig.${mode}.json`
  fs.writeFileSync(
    path.join(app, file),
    JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files: programs }, null, 2)
  )
  run(path.join(app, "node_modules", ".bin", "tsc"), ["-p", file], { cwd: app })
  console.log(`compiled ${programs.join(", ")} with moduleResolution ${mode}`)
}

// The source condition is not in the published exports: even a consumer that
// asks for it gets the compiled JavaScript.
const resolved = run(process.execPath, [
  "--conditions=@steadfast/source",
  "--input-type=module",
  "-e",
  "console.log(import.meta.resolve('@steadfast/core'))"
], { cwd: app }).trim()
if (!resolved.endsWith("/dist/index.js")) {
  fail(`with --conditions=@steadfast/source, @steadfast/core resolves to ${resolved}`)
}

// --- 4. run against a FaultServer ---------------------------------------------
const server = spawn(process.execPath, ["server.mjs"], { cwd: app, stdio: ["pipe", "pipe", "inherit"] })
const serverUrl = await new Promise((resolve, reject) => {
  let buffered = ""
  const timer = setTimeout(() => reject(new Error("the FaultServer did not start within 30 s")), 30_000)
  server.stdout.on("data", (chunk) => {
    buffered += chunk
    const line = buffered.split("\n")[0]
    if (buffered.includes("\n")) {
      clearTimeout(timer)
      resolve(JSON.parse(line).url)
    }
  })
  server.once("exit", (code) => reject(new Error(`the FaultServer exited with ${code}`)))
}).catch((error) => fail(error.message))
console.log(`FaultServer (from the installed @steadfast/testkit) at ${serverUrl}`)

const runProgram = (file, args = []) => {
  // the retry log lines come first; the program's last line says what it did
  const out = run(process.execPath, [file, ...args], { cwd: app, timeout: 60_000 }).trim()
  const last = out.split("\n").at(-1)
  if (!last.startsWith("ok ")) fail(`${file} printed\n${out}`)
  console.log(`  ${last}`)
}
try {
  runProgram("out/core.js", [serverUrl])
  runProgram("out/node.js", [serverUrl])
  runProgram("out/testkit.js")
  runProgram("plain.mjs", [serverUrl])
  runProgram("plain.cjs")
  const doctor = run(path.join(app, "node_modules", ".bin", "steadfast"), [
    "doctor",
    `${serverUrl}/health`,
    "--proxy",
    "none"
  ], { cwd: app, timeout: 60_000 })
  if (!doctor.includes("all checks passed")) fail(`steadfast doctor printed\n${doctor}`)
  console.log("  ok steadfast doctor (the installed bin): all checks passed")
} finally {
  server.stdin.end()
}
const serverCode = await new Promise((resolve) => server.once("exit", resolve))
if (serverCode !== 0) fail(`the FaultServer exited with ${serverCode} (see above)`)

// --- 5. what @steadfast/node costs to install ------------------------------------
const measure = (dir) => {
  const du = run("du", ["-sk", path.join(dir, "node_modules")]).split("\t")[0]
  const count = run("npm", ["ls", "--all", "--parseable"], { cwd: dir }).split("\n").filter(Boolean).length - 1
  return { kib: Number(du), count }
}
const peersOnly = path.join(work, "size-peers")
npmInstall(peersOnly, peerSpecs)
const withNode = path.join(work, "size-node")
npmInstall(withNode, [tarballs.core, tarballs.node, ...peerSpecs])
const a = measure(peersOnly)
const b = measure(withNode)
console.log(
  `install size: effect + @effect/platform alone ${a.count} packages, ${(a.kib / 1024).toFixed(1)} MiB; ` +
    `with @steadfast/core + @steadfast/node ${b.count} packages, ${(b.kib / 1024).toFixed(1)} MiB ` +
    `(+${b.count - a.count} packages, +${((b.kib - a.kib) / 1024).toFixed(1)} MiB)`
)

if (keep) console.log(`kept ${work}`)
else fs.rmSync(work, { recursive: true, force: true })
console.log("consumer check passed")
