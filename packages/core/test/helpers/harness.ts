import type * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Fiber from "#line/Fiber"
import * as Layer from "#line/Layer"
import * as TestClock from "#line/TestClock"
import * as HttpClient from "@effect/platform/HttpClient"
import { Client, type Errors } from "@steadfast/core"
import type * as Mem from "./memory.js"

/** The two ways the core reaches a transport. */
export const paths = [
  { name: "direct transport", pick: (mem: Mem.Mem) => mem.client },
  { name: "platform HttpClient", pick: (mem: Mem.Mem) => mem.genericClient }
] as const

export type Path = (typeof paths)[number]

/** Runs `f` with a resilient client over `mem` (on `path`), built in this test's context. */
export const withClient = <A, E>(
  mem: Mem.Mem,
  options: Client.Options,
  f: (client: Client.ResilientClient) => Effect.Effect<A, E>,
  path: Path = paths[0]
): Effect.Effect<A, E> =>
  Effect.flatMap(Client.Client, f).pipe(
    // the options of these tests are valid: an InvalidOptions would be a bug of the test
    Effect.provide(Layer.orDie(Client.layer(options))),
    Effect.provide(Layer.succeed(HttpClient.HttpClient, path.pick(mem)))
  )

/** Forks `effect`, moves the TestClock by `by`, and returns its result (or `undefined` if still running). */
export const after = <A, E>(
  effect: Effect.Effect<A, E>,
  by: Duration.DurationInput
): Effect.Effect<Either.Either<A, E> | undefined> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.either(effect))
    yield* TestClock.adjust(by)
    const done = yield* Fiber.poll(fiber)
    if (done._tag === "None") {
      yield* Fiber.interrupt(fiber)
      return undefined
    }
    return yield* Fiber.join(fiber)
  })

/** Fails the test unless `result` is a failure with tag `tag`; returns the error. */
export const expectFailure = <T extends Errors.HttpError["_tag"]>(
  result: Either.Either<unknown, unknown> | undefined,
  tag: T
): Extract<Errors.HttpError, { readonly _tag: T }> => {
  if (result === undefined) throw new Error(`expected ${tag}, but the request was still running`)
  if (Either.isRight(result)) {
    throw new Error(`expected ${tag}, but the request succeeded with ${JSON.stringify(result.right)}`)
  }
  const error = result.left as Errors.HttpError
  if (error._tag !== tag) throw new Error(`expected ${tag}, got ${error._tag}: ${error.message}`)
  return error as Extract<Errors.HttpError, { readonly _tag: T }>
}

/** Fails the test unless `result` is a success; returns the value. */
export const expectSuccess = <A>(result: Either.Either<A, unknown> | undefined): A => {
  if (result === undefined) throw new Error("expected a success, but the request was still running")
  if (Either.isLeft(result)) throw new Error(`expected a success, got ${String(result.left)}`)
  return result.right
}
