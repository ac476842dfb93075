#!/usr/bin/env node
/**
 * The `steadfast` command: `steadfast doctor <url> [options]`.
 *
 * It runs on `effect` alone (no `@effect/platform-node`, whose 19 packages
 * every user of the library would otherwise install for this one command):
 * the program is forked, SIGINT and SIGTERM interrupt it (its scopes close,
 * so sockets are released), and its result is the exit code.
 *
 * @since 0.1.0
 */
import * as Cause from "@steadfast/core/line/Cause"
import * as Effect from "@steadfast/core/line/Effect"
import * as Exit from "@steadfast/core/line/Exit"
import * as Fiber from "@steadfast/core/line/Fiber"
import * as Console from "effect/Console"
import * as Doctor from "../Doctor.js"

const [command, ...args] = process.argv.slice(2)

const program: Effect.Effect<number> = command === "doctor"
  ? Doctor.main(args)
  : command === undefined || command === "-h" || command === "--help" || command === "help"
  ? Effect.as(Console.log(Doctor.usage), command === undefined ? 2 : 0)
  : Effect.as(Console.error(`steadfast: unknown command ${command}\n\n${Doctor.usage}`), 2)

const fiber = Effect.runFork(program)
const interrupt = () => {
  Effect.runFork(Fiber.interrupt(fiber))
}
process.once("SIGINT", interrupt)
process.once("SIGTERM", interrupt)
fiber.addObserver((exit) => {
  process.removeListener("SIGINT", interrupt)
  process.removeListener("SIGTERM", interrupt)
  if (Exit.isSuccess(exit)) {
    process.exitCode = exit.value
  } else if (Exit.isInterrupted(exit)) {
    // 128 + SIGINT, as shells report a command stopped with Ctrl-C
    process.exitCode = 130
  } else {
    process.stderr.write(`steadfast: unexpected failure\n${Cause.pretty(exit.cause)}\n`)
    process.exitCode = 1
  }
})
