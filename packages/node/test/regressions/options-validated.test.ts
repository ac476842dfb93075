/**
 * The node layer checks its options before it builds anything: a typed
 * error naming the option, never a defect (`Duration.decode` threw on
 * `timeouts.connect: "bogus"` while the pool's options were derived) and
 * never a limit silently off.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "@steadfast/core/line/Cause"
import { Effect, Exit, Layer } from "effect"
import { NodeClient } from "../../src/index.js"

const buildExit = (options: NodeClient.Options) =>
  Effect.exit(Effect.scoped(Layer.build(NodeClient.layer({ proxy: { url: "none" }, ...options }))))

const failureOf = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`a defect: ${Cause.pretty(exit.cause)}`)
  return failure.value as { readonly _tag: string; readonly option: string }
}

describe("regression: NodeClient.layer checks every option", () => {
  it.effect.each(
    [
      [{ maxBodySize: NaN }, "InvalidOptions", "maxBodySize"],
      [{ retry: { retries: -1 } }, "InvalidOptions", "retry.retries"],
      [{ redirects: { max: NaN } }, "InvalidOptions", "redirects.max"],
      [{ timeouts: { connect: "bogus" } }, "InvalidOptions", "timeouts.connect"],
      [{ baseUrl: "not a url" }, "InvalidOptions", "baseUrl"],
      [{ pool: { keepAliveTimeout: "bogus" } }, "InvalidPoolOptions", "pool.keepAliveTimeout"],
      [{ pool: { drainTimeout: -1 } }, "InvalidPoolOptions", "pool.drainTimeout"],
      [{ pool: { connections: NaN } }, "InvalidPoolOptions", "connections"]
    ] as const
  )("%j: %s", ([options, tag, option]) =>
    Effect.gen(function*() {
      const failure = failureOf(yield* buildExit(options as NodeClient.Options))
      expect([failure?._tag, failure?.option]).toEqual([tag, option])
    }))
})
