/**
 * "Coming from requests": `timeout=(connect, read)` as steadfast's four
 * limits. Under the TestClock, each fires at its exact instant.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { Fault, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Duration, Effect, Fiber, Layer, Option, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: timeouts
// requests.get(url, timeout=(3.05, 27))
const ClientLive = Client.layer({
  timeouts: {
    connect: "3.05 seconds", // requests' connect timeout: DNS, TCP and TLS
    response: "27 seconds", // requests' read timeout, until the response headers…
    bodyIdle: "27 seconds", // …and between two chunks of the body
    deadline: "1 minute" // no requests equivalent: the whole call, retries and waits included
  },
  retry: { retries: 0 } // requests does not retry unless you mount an adapter (below)
})
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /connect-hangs": Scenario.sequence([Fault.connectHang()], { after: "repeat-last" }),
  "GET /no-answer": Scenario.sequence([Fault.hang()], { after: "repeat-last" }),
  "GET /stalls": Scenario.sequence([Fault.trickle({ chunkSize: 8, interval: "40 seconds" })], { after: "repeat-last" })
}))

/** The instant (virtual seconds from the start) at which the request failed, and its tag. */
const failsAt = (path: string) =>
  Effect.gen(function*() {
    const start = yield* TestClock.currentTimeMillis
    const fiber = yield* Effect.fork(Effect.flip(Client.text(HttpClientRequest.get(`https://api.example.test${path}`))))
    // step the virtual clock 50 ms at a time until the request gives up
    for (let i = 0; i < 2_000; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) break
      yield* TestClock.adjust("50 millis")
    }
    const error = yield* Fiber.join(fiber)
    const now = yield* TestClock.currentTimeMillis
    return `${error._tag} after ${Duration.format(Duration.millis(now - start))}`
  })

export const program = Effect.gen(function*() {
  assert.strictEqual(yield* failsAt("/connect-hangs"), "ConnectTimeout after 3s 50ms")
  assert.strictEqual(yield* failsAt("/no-answer"), "ResponseTimeout after 27s")
  // the first chunk arrives after 40 s: the body idle limit (27 s) fires first
  assert.strictEqual(yield* failsAt("/stalls"), "BodyTimeout after 27s")
}).pipe(
  Effect.provide(ClientLive.pipe(Layer.provide(network))),
  Effect.provide(TestContext.TestContext)
)
