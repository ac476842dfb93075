import { HttpClientRequest, HttpClient } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { strictEqual, deepStrictEqual } from "@effect/vitest/utils"
import { Client, Errors } from "@steadfast/core"
import { Effect, Fiber, Layer, TestClock, Either } from "effect"
import * as Mem from "./helpers/memory.js"

describe("smoke", () => {
  it.effect("get json", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence({ fail: Mem.nodeError("ECONNRESET", { syscall: "read" }) }, Mem.json(200, { a: 1 })))
      const program = Effect.gen(function*() {
        const client = yield* Client.Client
        return yield* client.json(HttpClientRequest.get("http://x.test/a"))
      }).pipe(Effect.provide(Client.layer()), Effect.provide(Layer.succeed(HttpClient.HttpClient, mem.client)))
      const fiber = yield* Effect.fork(program)
      yield* TestClock.adjust("1 second")
      deepStrictEqual(yield* Fiber.join(fiber), { a: 1 })
      strictEqual(mem.requests.length, 2)
    }))
  it.effect("response timeout", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence("hang"))
      const program = Effect.gen(function*() {
        const client = yield* Client.Client
        return yield* client.json(HttpClientRequest.get("http://x.test/a"))
      }).pipe(Effect.provide(Client.layer({ retry: { retries: 0 } })), Effect.provide(Layer.succeed(HttpClient.HttpClient, mem.client)))
      const fiber = yield* Effect.fork(Effect.either(program))
      yield* TestClock.adjust("30 seconds")
      const result = yield* Fiber.join(fiber)
      strictEqual(Either.isLeft(result) && result.left._tag, "ResponseTimeout")
      if (Either.isLeft(result)) console.log(result.left.message, result.left.attempts)
      strictEqual(mem.requests[0]!.signal.aborted, true)
    }))
})
