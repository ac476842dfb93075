/**
 * Policies composed, under TestClock: the order is fixed whatever the list
 * (an attempt and its hedges hold one bulkhead slot; an open breaker refuses
 * before the bulkhead is asked), and `Client.withPolicies` gives a request
 * other policies while sharing the state of the ones it names again.
 */
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Fiber from "#line/Fiber"
import * as Layer from "#line/Layer"
import * as TestClock from "#line/TestClock"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Breaker, Bulkhead, Client, Hedge, Policy } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"

const origin = "https://api.test"

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /slow": Scenario.sequence([
    Fault.latency("5 seconds", Reply.text(200, "first")),
    Fault.latency("100 millis", Reply.text(200, "hedge"))
  ], { after: "repeat-last" }),
  "GET /fail": Scenario.sequence([Fault.status(503)], { after: "repeat-last" }),
  "GET /health": Scenario.sequence([Reply.text(200, "up")], { after: "repeat-last" })
}))

const withClient = (options: Client.Options) => Effect.provide(Client.layer(options).pipe(Layer.provideMerge(network)))

const get = (path: string) => HttpClientRequest.get(`${origin}${path}`)

describe("Policy: composition", () => {
  it("the order is rate limit, budget, breaker, bulkhead, hedging", () => {
    expect(Object.entries(Policy.order).sort(([, a], [, b]) => a - b).map(([name]) => name)).toEqual([
      "rateLimit",
      "budget",
      "breaker",
      "bulkhead",
      "hedging"
    ])
    expect([Hedge.make(), Bulkhead.make(), Breaker.make()].map((p) => [p.name, p.order])).toEqual([
      ["hedging", 4],
      ["bulkhead", 3],
      ["circuit-breaker", 2]
    ])
  })

  it.effect("hedging inside the bulkhead: an attempt and its hedge hold one slot, whatever the list's order", () => {
    const bulkhead = Bulkhead.make({ maxConcurrent: 1, maxQueue: 1 })
    return Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      const first = yield* Effect.fork(Client.text(get("/slow")))
      yield* TestClock.adjust("1 second")
      // the hedge started at t=1 s, in the same slot
      expect(yield* Bulkhead.state(bulkhead, origin)).toMatchObject({ inFlight: 1, queued: 0 })
      const second = yield* Effect.fork(Client.text(get("/health")))
      yield* TestClock.adjust("50 millis")
      expect(yield* Bulkhead.state(bulkhead, origin)).toMatchObject({ inFlight: 1, queued: 1 })
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(first)).toBe("hedge")
      expect(yield* Fiber.join(second)).toBe("up")
      expect((yield* net.attempts("GET /slow")).map((a) => a.at)).toEqual([0, 1000])
      // the health check went when the hedge had won, at 1.1 s
      expect((yield* net.attempts("GET /health")).map((a) => a.at)).toEqual([1100])
    }).pipe(withClient({ policies: [Hedge.make({ delay: "1 second" }), bulkhead] }))
  })

  it.effect("Client.withPolicies: a health check without the breaker reaches the origin it keeps closed to others", () => {
    const breaker = Breaker.make({ consecutiveFailures: 1, breakDuration: "1 minute" })
    return Effect.gen(function*() {
      const net = yield* SimulatedNetwork.SimulatedNetwork
      const client = yield* Client.Client
      yield* Effect.either(client.text(get("/fail")))
      const refused = yield* Effect.either(client.text(get("/health")))
      expect(Either.isLeft(refused) && refused.left._tag).toBe("CircuitOpen")
      // the same client without the breaker
      expect(yield* Client.withPolicies(client, []).text(get("/health"))).toBe("up")
      // with the same breaker again: its state is shared, still open
      const again = yield* Effect.either(Client.withPolicies(client, [breaker]).text(get("/health")))
      expect(Either.isLeft(again) && again.left._tag).toBe("CircuitOpen")
      expect((yield* net.attempts("GET /health")).length).toBe(1)
    }).pipe(withClient({ policies: [breaker], retry: { retries: 0 } }))
  })

  it.effect("Client.withPolicies with something that is not a policy: its requests fail with InvalidRequest", () =>
    Effect.gen(function*() {
      const client = Client.withPolicies(yield* Client.Client, [{} as never])
      const result = yield* Effect.either(client.text(get("/health")))
      expect(Either.isLeft(result) && result.left._tag).toBe("InvalidRequest")
      expect(Either.isLeft(result) && result.left.message).toContain("policies[0]")
    }).pipe(withClient({})))
})
