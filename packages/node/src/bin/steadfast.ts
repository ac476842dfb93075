#!/usr/bin/env node
/**
 * The `steadfast` command: `steadfast doctor <url> [options]`.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Doctor from "../Doctor.js"

const [command, ...args] = process.argv.slice(2)

const program: Effect.Effect<number> = command === "doctor"
  ? Doctor.main(args)
  : command === undefined || command === "-h" || command === "--help" || command === "help"
  ? Effect.as(Console.log(Doctor.usage), command === undefined ? 2 : 0)
  : Effect.as(Console.error(`steadfast: unknown command ${command}\n\n${Doctor.usage}`), 2)

NodeRuntime.runMain(program, {
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    const value: unknown = Exit.isSuccess(exit) ? exit.value : undefined
    onExit(typeof value === "number" ? value : 1)
  }
})
