/**
 * What a benchmark run records about where it ran (commit, machine, package
 * versions) and the forced GC it runs before each measurement. Shared by
 * `run.ts` and the Effect line bench (`effectLine.ts`).
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"

/** A full GC, exposed at run time (`--expose-gc`); a no-op where that is refused. */
export const gc: () => void = (() => {
  v8.setFlagsFromString("--expose-gc")
  const fn = (globalThis as { gc?: () => void }).gc ?? vm.runInNewContext("gc") as (() => void) | undefined
  return typeof fn === "function" ? () => fn() : () => {}
})()

const git = (cwd: string, args: ReadonlyArray<string>): string | undefined => {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  } catch {
    return undefined
  }
}

/** The checkout's short commit, marked when the tree has uncommitted changes. */
export const commit = (repoDir: string): string | undefined => {
  const head = git(repoDir, ["rev-parse", "--short", "HEAD"])
  if (head === undefined || head === "") return undefined
  const dirty = git(repoDir, ["status", "--porcelain", "--untracked-files=no"])
  return dirty !== undefined && dirty !== "" ? `${head} (with uncommitted changes)` : head
}

/** The version of package `name` as Node would find it from `dir` (its node_modules, then its parents'), or "?". */
export const versionOf = (dir: string, name: string): string => {
  for (let at = dir;; at = path.dirname(at)) {
    try {
      const file = path.join(at, "node_modules", name, "package.json")
      return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version
    } catch {
      if (path.dirname(at) === at) return "?"
    }
  }
}

export const machine = () => {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown cpu",
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`,
    os: `${os.type()} ${os.release()} ${os.arch()}`
  }
}
