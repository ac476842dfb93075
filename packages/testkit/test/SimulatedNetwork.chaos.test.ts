import { hasDefect } from "#testline/causes"
import { freshTestServices } from "#testline/testServices"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client, Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as LineHttp from "@steadfast/core/line/http"
import * as TestClock from "@steadfast/core/line/TestClock"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { Fault, type Fault as FaultT, Reply } from "../src/Fault.js"
import { stepFor } from "../src/internal/scenario.js"
import * as Scenario from "../src/Scenario.js"
import * as SimulatedNetwork from "../src/SimulatedNetwork.js"
import { API, causeOf, failure, makeAttempt, Net, provide, send } from "./helpers/simulated.js"

describe("SimulatedNetwork: records", () => {
  it.effect("records time, method, url and headers with secrets redacted, route, step, fault and outcome", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /me", [Fault.reset(), Fault.latency("250 millis", Reply.json(200, {}))])
      yield* failure(
        HttpClient.execute(
          HttpClientRequest.get(`${API}/me?access_token=tok-123&page=2`).pipe(
            HttpClientRequest.bearerToken("super-secret-token"),
            HttpClientRequest.setHeader("cookie", "session=cookie-secret")
          )
        )
      )
      yield* TestClock.adjust("1 second")
      const fiber = yield* Effect.fork(
        HttpClient.get(`${API}/me`, { headers: { authorization: "Basic dXNlcjpwdw==" } })
      )
      yield* TestClock.adjust("250 millis")
      yield* Fiber.join(fiber)
      const timeline = yield* net.timeline
      const text = JSON.stringify(timeline)
      for (const secret of ["super-secret-token", "tok-123", "cookie-secret", "dXNlcjpwdw=="]) {
        assertTrue(!text.includes(secret), `${secret} leaked into the records`)
      }
      const [first, second] = timeline
      strictEqual(first?.url, "http://api.test/me?access_token=<redacted>&page=2")
      strictEqual(first?.headers["authorization"], "<redacted>")
      strictEqual(first?.headers["cookie"], "<redacted>")
      deepStrictEqual(
        { ...first, headers: undefined, url: undefined },
        {
          seq: 0,
          at: 0,
          endedAt: 0,
          method: "GET",
          url: undefined,
          headers: undefined,
          route: "GET /me",
          step: 0,
          fault: "ResetBeforeResponse",
          // which secret went out, without the secret: a fingerprint per redacted header
          fingerprints: {
            authorization: SimulatedNetwork.fingerprint("Bearer super-secret-token"),
            cookie: SimulatedNetwork.fingerprint("session=cookie-secret")
          },
          outcome: { _tag: "Failed", code: "ECONNRESET", phase: "response" }
        }
      )
      deepStrictEqual(
        { seq: second?.seq, at: second?.at, endedAt: second?.endedAt, step: second?.step, outcome: second?.outcome },
        { seq: 1, at: 1000, endedAt: 1250, step: 1, outcome: { _tag: "Response", status: 200 } }
      )
      strictEqual(
        SimulatedNetwork.format(first!),
        "#0 +0ms GET http://api.test/me?access_token=<redacted>&page=2 [ResetBeforeResponse] -> ECONNRESET"
      )
    }).pipe(provide()))

  it.effect("records of the same url and headers sent again share nothing wrong: each shows what it sent, redacted", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /me", Scenario.sequence([Reply.empty(200)], { after: "repeat-last" }))
      const withToken = (token: string) =>
        HttpClientRequest.get(`${API}/me?access_token=${token}`).pipe(HttpClientRequest.bearerToken(token))
      const first = withToken("token-one")
      // the same request object three times, then another token, then the first again
      for (const request of [first, first, first, withToken("token-two"), first]) {
        yield* HttpClient.execute(request)
      }
      const timeline = yield* net.timeline
      const text = JSON.stringify(timeline)
      assertTrue(!text.includes("token-one") && !text.includes("token-two"), "a token leaked into the records")
      deepStrictEqual(
        timeline.map((r) => [r.url, r.headers["authorization"], r.fingerprints["authorization"]]),
        [0, 1, 2, 3, 4].map((i) => [
          "http://api.test/me?access_token=<redacted>",
          "<redacted>",
          SimulatedNetwork.fingerprint(i === 3 ? "Bearer token-two" : "Bearer token-one")
        ])
      )
    }).pipe(provide()))

  it.effect("a header the client alone treats as secret (redirects.sensitiveHeaders) is redacted in the records too", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /me", [Reply.empty(200)])
      const client = yield* Client.make({
        retry: { retries: 0 },
        redirects: { sensitiveHeaders: ["x-upstream-auth"] }
      })
      yield* client.execute(
        HttpClientRequest.get(`${API}/me`).pipe(
          HttpClientRequest.setHeader("x-upstream-auth", "upstream-secret-7"),
          HttpClientRequest.setHeader("x-plain", "visible")
        )
      )
      const [record] = yield* net.timeline
      assertTrue(!JSON.stringify(record).includes("upstream-secret-7"), "the client's secret header leaked")
      strictEqual(record?.headers["x-upstream-auth"], "<redacted>")
      strictEqual(record?.headers["x-plain"], "visible")
      strictEqual(record?.fingerprints["x-upstream-auth"], SimulatedNetwork.fingerprint("upstream-secret-7"))
    }).pipe(Effect.scoped, provide()))

  it.effect("the layer provides HttpClient with the direct transport attached", () =>
    Effect.gen(function*() {
      const net = yield* Net
      const client = yield* HttpClient.HttpClient
      strictEqual(Transport.fromHttpClient(client), net.transport)
      strictEqual(net.transport.tracksConnect, true)
    }).pipe(provide()))
})

// ---------------------------------------------------------------------------

const chaosScenario = (seed: number) =>
  Scenario.make({
    "GET /items": Scenario.chaos({
      seed,
      faults: [
        { fault: Fault.reset(), rate: 0.03 },
        { fault: Fault.status(503, { retryAfter: 1 }), rate: 0.03 },
        { fault: Fault.refused(), rate: 0.02 },
        { fault: Fault.truncate(5, Reply.text(200, "truncated body")), rate: 0.02 }
      ],
      otherwise: Reply.json(200, { ok: true })
    })
  })

/**
 * Exactly 10% chaos, independent of Scenario.chaos's draw: 100 steps that
 * cycle, 10 of them faults.
 */
const tenPercent = Scenario.make({
  "GET /items": Scenario.sequence(
    Array.from({ length: 100 }, (_, i): FaultT =>
      i % 10 !== 3
        ? Reply.json(200, { ok: true })
        : [
          Fault.reset(),
          Fault.status(503, { retryAfter: 1 }),
          Fault.refused(),
          Fault.truncate(5, Reply.text(200, "truncated body")),
          Fault.close()
        ][i % 5]!),
    { after: "cycle" }
  )
})

/**
 * GET /items n times; each result is the status or the error's cause code.
 * Trace propagation is off: its headers carry random ids.
 */
const hammer = (n: number, options: { readonly concurrency?: number } = {}) =>
  Effect.flatMap(HttpClient.HttpClient, (tracedClient) => {
    const client = tracedClient
    return Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      () =>
        client.get(`${API}/items`).pipe(
          Effect.flatMap((r) => Effect.as(r.text, r.status)),
          Effect.catchAll((e) => Effect.succeed(causeOf(e).code ?? "?"))
        ),
      { concurrency: options.concurrency ?? 1 }
    ).pipe(Effect.locally(LineHttp.HttpClient.currentTracerPropagation, false))
  })

describe("SimulatedNetwork: chaos", () => {
  it.effect("the same seed gives the identical timeline twice, even with concurrency and latency", () =>
    Effect.gen(function*() {
      const run = (seed: number) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(hammer(200, { concurrency: 8 }))
          yield* TestClock.adjust("1 minute")
          yield* Fiber.join(fiber)
          return yield* Effect.flatMap(Net, (net) => net.timeline)
        }).pipe(
          // a fresh TestClock at 0 for each run
          Effect.provide(freshTestServices),
          provide(Scenario.make({
            "GET /items": Scenario.chaos({
              seed,
              faults: [
                { fault: Fault.reset(), rate: 0.1 },
                { fault: Fault.latency("1 second", Reply.empty(200)), rate: 0.1 },
                { fault: Fault.status(503), rate: 0.1 }
              ],
              otherwise: Reply.json(200, {})
            })
          }))
        )
      const first = yield* run(42)
      const second = yield* run(42)
      strictEqual(first.length, 200)
      deepStrictEqual(first, second)
      const other = yield* run(43)
      assertTrue(JSON.stringify(other.map((r) => r.fault)) !== JSON.stringify(first.map((r) => r.fault)))
    }))

  it.effect("10,000 requests with 10% chaos (measured, reported, not asserted)", () =>
    Effect.gen(function*() {
      const start = performance.now()
      const results = yield* hammer(10_000)
      const platformMs = performance.now() - start
      strictEqual(results.length, 10_000)
      const failures = results.filter((r) => r !== 200).length
      strictEqual(failures, 1000)
      // the direct transport and body reader, as the core client uses them
      const net = yield* Net
      yield* net.setScenario(tenPercent)
      const directStart = performance.now()
      for (let i = 0; i < 10_000; i++) {
        const { attempt } = yield* makeAttempt
        yield* send("/items", attempt).pipe(
          Effect.flatMap((r) => (r as unknown as Transport.BodyReader)[Transport.BodyReaderTypeId](() => true)),
          Effect.ignore
        )
      }
      const directMs = performance.now() - directStart
      console.log(
        `SimulatedNetwork: 10,000 requests with 10% chaos: platform HttpClient ${platformMs.toFixed(0)} ms ` +
          `(${Math.round(10_000 / platformMs * 1000)} req/s), direct transport ${directMs.toFixed(0)} ms ` +
          `(${Math.round(10_000 / directMs * 1000)} req/s); ${failures} of them failed`
      )
    }).pipe(provide(tenPercent)))
})

describe("Scenario.chaos draws", () => {
  // regression: the draw once ended on a signed int32, so half the draws were
  // negative and the first fault was picked about 50% of the time
  it("a 3% fault is drawn about 3% of the time", () => {
    const route = chaosScenario(7).routes[0]!
    let resets = 0
    for (let i = 0; i < 10_000; i++) if (stepFor(route, i)?._tag === "ResetBeforeResponse") resets++
    assertTrue(resets > 200 && resets < 400, `${resets} of 10000`)
  })
})

describe("SimulatedNetwork: what a route takes", () => {
  it.effect("one step, as well as an array of steps", () =>
    Effect.gen(function*() {
      const net = yield* Net
      yield* net.script("GET /one", Fault.status(503))
      const first = yield* HttpClient.get(`${API}/one`)
      strictEqual(first.status, 503)
      // one step is a sequence that fails loudly after it: the test did not expect a second attempt
      const second = yield* Effect.exit(HttpClient.get(`${API}/one`))
      assertTrue(Exit.isFailure(second) && hasDefect(second.cause))
    }).pipe(provide()))

  it.effect("anything else is a type error and, at run time, a TypeError naming the shapes a route takes", () =>
    Effect.gen(function*() {
      const net = yield* Net
      // @ts-expect-error a status number is not a step
      const exit = yield* Effect.exit(net.script("GET /x", 503))
      assertTrue(Exit.isFailure(exit) && hasDefect(exit.cause))
      const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause) as Error
      strictEqual(defect.name, "TypeError")
      strictEqual(
        defect.message,
        "steadfast testkit: route \"GET /x\" got 503; a route takes one step (a Fault or Reply, e.g. " +
          "Fault.status(503)), an array of steps, Scenario.sequence([...], { after }) or Scenario.chaos({ ... })."
      )
      // @ts-expect-error a step must be a Fault or a Reply
      const inArray = yield* Effect.exit(net.script("GET /x", [Reply.json(200, {}), { status: 200 }]))
      const message = (Cause.squash((inArray as Exit.Failure<unknown, unknown>).cause) as Error).message
      assertTrue(
        message.startsWith("steadfast testkit: step 2 of route \"GET /x\" is an object without a _tag"),
        message
      )
    }).pipe(provide()))
})
