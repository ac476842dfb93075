/**
 * The client's log lines: retries at Debug (nothing at Info on the happy or
 * the retry path), each annotated with what a log pipeline filters on.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, Logger, LogLevel, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

const lines: Array<{ level: string; annotations: Record<string, unknown> }> = []
const capture = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ annotations, logLevel }) => {
    lines.push({ level: logLevel.label, annotations: Object.fromEntries(annotations) })
  })
)

const getItems = Client.json(HttpClientRequest.get("https://api.example.test/items"))

// region: debug
// see the retries: lower the minimum level where you run the program…
const debugging = getItems.pipe(Logger.withMinimumLogLevel(LogLevel.Debug))
// …or log them at Info for one client
const ClientLive = Client.layer({ retryLogLevel: "Info", retry: { backoff: { jitter: "none" } } })
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /items": [Fault.reset(), Reply.json(200, ["a"])]
}))

const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

export const program = Effect.gen(function*() {
  // the default client: nothing at Info…
  yield* run(getItems).pipe(Effect.provide(Client.layer().pipe(Layer.provide(network))))
  assert.strictEqual(lines.length, 0)
  // …the retry at Debug when asked, with its annotations
  yield* run(debugging).pipe(
    Effect.provide(Client.layer({ retry: { backoff: { jitter: "none" } } }).pipe(Layer.provide(network)))
  )
  assert.deepStrictEqual(lines[0], {
    level: "DEBUG",
    annotations: {
      "steadfast.attempt": 1,
      "steadfast.error": "ConnectionReset",
      "steadfast.delay_ms": 100,
      "steadfast.reason": "policy",
      "steadfast.origin": "https://api.example.test"
    }
  })
  lines.length = 0
  // retryLogLevel: "Info" puts the retry line at Info
  yield* run(getItems).pipe(Effect.provide(ClientLive.pipe(Layer.provide(network))))
  assert.deepStrictEqual(lines.map((l) => l.level), ["INFO"])
}).pipe(Effect.provide(capture), Effect.provide(TestContext.TestContext))
