// What both consumer checks (.ci/consumer.mjs, .ci/consumer-effect4.mjs)
// need to read files and run commands, failing loudly with what a command
// printed.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"

export const readJson = (file) => JSON.parse(fs.readFileSync(file, "utf8"))

/** A `fail` that names the check, and a `run` that fails through it with the command's output. */
export const checkNamed = (name) => {
  const fail = (message) => {
    console.error(`${name} failed: ${message}`)
    process.exit(1)
  }
  const run = (command, args, options = {}) => {
    try {
      return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options })
    } catch (error) {
      fail(
        `${command} ${args.join(" ")} (in ${options.cwd ?? process.cwd()}) exited ${error.status}\n${
          error.stdout ?? ""
        }${error.stderr ?? ""}`
      )
    }
  }
  return { fail, run }
}
