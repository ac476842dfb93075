/**
 * "Coming from requests": the exception hierarchy becomes tags in the error
 * channel. What a `try`/`except` around `requests.get` does, written with
 * `catchTags`, then DNS failures. Run over the simulated network under the
 * TestClock: every fault is real in shape, no time is waited.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, Errors } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: except
// try:
//     r = requests.get(url, timeout=10); r.raise_for_status(); return r.json()
// except requests.exceptions.HTTPError as e: ...
// except requests.exceptions.ConnectionError: ...
// except requests.exceptions.Timeout: ...
const getStatus = (url: string) =>
  Client.json(HttpClientRequest.get(url)).pipe(
    Effect.map((body) => `ok: ${JSON.stringify(body)}`),
    Effect.catchTags({
      // raise_for_status(): the status, its headers and Retry-After are fields
      StatusError: (e) => Effect.succeed(`the server said ${e.status}`),
      // ConnectionError is a family, not one class: the DNS case has its own tag and fields
      DnsError: (e) => Effect.succeed(`no such host ${e.hostname} (${e.code}, temporary: ${e.temporary})`)
    }),
    // the rest of ConnectionError and Timeout, by family
    Effect.catchIf(Errors.isConnectionError, (e) => Effect.succeed(`cannot connect: ${e._tag}`)),
    Effect.catchIf(Errors.isTimeoutError, (e) => Effect.succeed(`too slow: ${e._tag}`))
  )
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /ok": [Reply.json(200, { up: true })],
  "GET /missing": [Fault.status(404)],
  // a name that does not exist: retried (resolvers flap), then reported
  "GET /dns": Scenario.sequence([Fault.dns()], { after: "repeat-last" }),
  "GET /refused": Scenario.sequence([Fault.refused()], { after: "repeat-last" }),
  "GET /hangs": Scenario.sequence([Fault.hang()], { after: "repeat-last" })
}))

const runUnderTestClock = <A, E>(effect: Effect.Effect<A, E, Client.Client>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  })

export const program = Effect.gen(function*() {
  const base = "https://api.example.test"
  assert.strictEqual(yield* runUnderTestClock(getStatus(`${base}/ok`)), `ok: {"up":true}`)
  assert.strictEqual(yield* runUnderTestClock(getStatus(`${base}/missing`)), "the server said 404")
  assert.strictEqual(
    yield* runUnderTestClock(getStatus("https://nope.example.test/dns")),
    "no such host nope.example.test (ENOTFOUND, temporary: false)"
  )
  assert.strictEqual(yield* runUnderTestClock(getStatus(`${base}/refused`)), "cannot connect: ConnectionRefused")
  // four response timeouts of 30 s (the first attempt and 3 retries) meet the 2-minute deadline first
  assert.strictEqual(yield* runUnderTestClock(getStatus(`${base}/hangs`)), "too slow: DeadlineExceeded")
}).pipe(
  Effect.provide(Client.layer().pipe(Layer.provide(network))),
  Effect.provide(TestContext.TestContext)
)
