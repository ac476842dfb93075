/**
 * `caught` (internal/caught.ts) hands a cause that is one failure straight
 * to its handler, where `Effect.catchAll` takes a step and walks the cause;
 * for every kind of cause, it ends as `catchAll` would: the handler's
 * result for a failure, the cause as it was for an interruption, a defect
 * first when there is one.
 */
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual } from "@effect/vitest/utils"
import { caught } from "../src/internal/caught.js"

/** The cause each effect fails with. */
const failing: ReadonlyArray<readonly [string, Effect.Effect<never, string>]> = [
  ["one failure", Effect.fail("boom")],
  ["a defect", Effect.die("bug")],
  ["an interruption", Effect.interrupt],
  ["a failure, then a defect in a finalizer", Effect.ensuring(Effect.fail("first"), Effect.die("finalizer"))],
  ["a failure, then another in a finalizer", Effect.ensuring(Effect.fail("first"), Effect.orDie(Effect.fail("x")))],
  ["two failures at once", Effect.all([Effect.fail("a"), Effect.fail("b")], { concurrency: 2 }) as never]
]

const handler = (error: string) => Effect.succeed(`caught ${error}`)

describe("caught", () => {
  for (const [name, effect] of failing) {
    it.effect(`${name}: ends as Effect.catchAll would`, () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(effect)
        assertTrue(Exit.isFailure(exit))
        if (!Exit.isFailure(exit)) return
        const viaCatchAll = yield* Effect.exit(Effect.catchAll(Effect.failCause(exit.cause), handler))
        const viaCaught = yield* Effect.exit(caught(exit.cause, handler))
        deepStrictEqual(viaCaught, viaCatchAll)
      }))
  }

  it.effect("a single failure reaches the handler with its error", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.fail("boom"))
      if (!Exit.isFailure(exit)) throw new Error("expected a failure")
      deepStrictEqual(yield* caught(exit.cause, handler), "caught boom")
    }))
})
