/**
 * The undici pool as a scoped Layer: bounded connections per origin,
 * keep-alive, the pool timeout, the stats and gauges, a stale keep-alive connection sent again,
 * one pool shared by two clients, options from the environment, and a close
 * that leaves no socket open. Runs against a FaultServer on 127.0.0.1.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient, Pool } from "@steadfast/node"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { ConfigProvider, Duration, Effect, Fiber, Layer, Metric, Schedule } from "effect"
import * as assert from "node:assert"

const scenario = Scenario.make({
  "GET /slow": Scenario.sequence([Fault.latency("200 millis", Reply.text(200, "done"))], { after: "repeat-last" }),
  // the second request finds its keep-alive connection closed by the server
  "GET /flaky": Scenario.sequence([Reply.text(200, "a"), Fault.close(), Reply.text(200, "b")], { after: "fail" })
})

/** Polls `check` every 10 ms for up to 2 s (real sockets close asynchronously). */
const eventually = <A, E, R>(check: Effect.Effect<A, E, R>, holds: (a: A) => boolean) =>
  check.pipe(
    Effect.filterOrFail(holds, () => "not yet"),
    Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.upTo("2 seconds")))
  )

// region: layer
const ClientLive = NodeClient.layer({
  pool: { connections: 4, keepAliveTimeout: "2 seconds", drainTimeout: "1 second" },
  proxy: { url: "none" }
})

// ten requests at once: four go out on connections, six wait for one
const tenAtOnce = (url: string) =>
  Effect.forEach(Array.from({ length: 10 }), () => Client.text(HttpClientRequest.get(url)), {
    concurrency: "unbounded"
  })
// endregion

// region: pool-wait
// a pool that stays full fails the requests that wait too long, with the numbers
const Impatient = NodeClient.layer({
  pool: { connections: 2 },
  timeouts: { pool: "100 millis" },
  proxy: { url: "none" }
})

const waitedTooLong = (url: string) =>
  Effect.forEach(Array.from({ length: 6 }), () => Effect.either(Client.text(HttpClientRequest.get(url))), {
    concurrency: "unbounded"
  }).pipe(Effect.map((results) => results.flatMap((r) => r._tag === "Left" ? [r.left] : [])))
// endregion

// region: stats
const statsOf = (origin: string) => Effect.map(Pool.stats, (all) => all.find((s) => s.origin === origin))

const gauges = (origin: string) =>
  Effect.gen(function*() {
    yield* Pool.stats // reading the stats refreshes the gauges
    const value = (gauge: Metric.Metric.Gauge<number>) =>
      Effect.map(Metric.value(Metric.tagged(gauge, "origin", origin)), (state) => state.value)
    return {
      connected: yield* value(Pool.connected),
      free: yield* value(Pool.free),
      running: yield* value(Pool.running),
      staleRetries: (yield* Metric.value(Metric.tagged(Pool.staleRetries, "origin", origin))).count
    }
  })
// endregion

// region: shared
// one pool; Client.Client over it with some options, and a second client with others
const SharedPool = Pool.layer({ connections: 4, proxy: { url: "none" } })
const ApiLive = NodeClient.layerWithoutPool({ timeouts: { response: "2 seconds" } }).pipe(
  Layer.provideMerge(SharedPool)
)
const reportsClient = NodeClient.make({ timeouts: { response: "1 minute" }, retry: { retries: 0 } })
// endregion

// region: config
// STEADFAST_POOL_CONNECTIONS=16 STEADFAST_POOL_KEEP_ALIVE_TIMEOUT="10 seconds" STEADFAST_TIMEOUT_CONNECT="2 seconds"
const FromEnvironment = NodeClient.layerConfig({ overrides: { proxy: { url: "none" } } })
// endregion

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const origin = server.urls.http

  yield* Effect.gen(function*() {
    const fiber = yield* Effect.fork(tenAtOnce(`${origin}/slow`))
    const busy = yield* eventually(statsOf(origin), (s) => s?.running === 4 && s.pending === 6)
    assert.deepStrictEqual([busy?.running, busy?.pending, busy?.size], [4, 6, 10])
    assert.deepStrictEqual(yield* Fiber.join(fiber), Array(10).fill("done"))
    // afterwards the four connections stay open, idle, for the next requests
    const idle = yield* eventually(statsOf(origin), (s) => s?.running === 0 && s.free === s.connected)
    assert.deepStrictEqual([idle?.connected, idle?.free, idle?.pending], [4, 4, 0])
    assert.strictEqual(yield* server.openSockets, 4)

    // a reused connection the server had closed: sent again once, retries off
    const client = yield* Client.Client
    const before = yield* gauges(origin)
    const noRetry = Client.withRetry(client, { retries: 0 })
    assert.strictEqual(yield* noRetry.text(HttpClientRequest.get(`${origin}/flaky`)), "a")
    assert.strictEqual(yield* noRetry.text(HttpClientRequest.get(`${origin}/flaky`)), "b")
    assert.strictEqual(yield* server.hits("GET /flaky"), 3)
    const after = yield* gauges(origin)
    assert.strictEqual(after.staleRetries - before.staleRetries, 1)
    // the gauges settle on an idle pool: every open connection free
    yield* eventually(gauges(origin), (g) => g.running === 0 && g.connected > 0 && g.connected === g.free)
  }).pipe(Effect.scoped, Effect.provide(ClientLive))
  // the layer's scope closed: every connection is closed
  yield* eventually(server.openSockets, (n) => n === 0)

  yield* Effect.gen(function*() {
    const hitsBefore = yield* server.hits("GET /slow")
    const failures = yield* waitedTooLong(`${origin}/slow`)
    // two on the connections, two more when they free up (200 ms later, past 100 ms): four waited too long
    assert.deepStrictEqual(failures.map((e) => e._tag), Array(4).fill("PoolTimeout"))
    const first = failures[0]!
    assert.ok(first._tag === "PoolTimeout" && first.inUse === 2 && first.limit === 2 && !first.requestSent)
    assert.match(
      first.message,
      /no free connection to http:\/\/127\.0\.0\.1:\d+ within 100ms \(2 of 2 connections in use/
    )
    // never sent, not retried: the server saw the two that went out
    assert.strictEqual((yield* server.hits("GET /slow")) - hitsBefore, 2)
  }).pipe(Effect.scoped, Effect.provide(Impatient))

  yield* Effect.gen(function*() {
    const api = yield* Client.Client
    const reports = yield* reportsClient
    const three = (client: Client.ResilientClient) =>
      Effect.forEach(Array.from({ length: 3 }), () => client.text(HttpClientRequest.get(`${origin}/slow`)), {
        concurrency: "unbounded"
      })
    const fiber = yield* Effect.fork(Effect.all([three(api), three(reports)], { concurrency: "unbounded" }))
    // six requests from two clients share the pool's four connections
    yield* eventually(Pool.stats, (all) => all.some((s) => s.origin === origin && s.running === 4 && s.pending === 2))
    assert.deepStrictEqual(yield* Fiber.join(fiber), [Array(3).fill("done"), Array(3).fill("done")])
  }).pipe(Effect.scoped, Effect.provide(ApiLive))

  yield* Effect.gen(function*() {
    const pool = yield* Pool.Pool
    assert.strictEqual(pool.settings.connections, 16)
    assert.strictEqual(Duration.toSeconds(pool.settings.keepAliveTimeout), 10)
    // the client's connect timeout, and undici's backstop behind it
    const client = yield* Client.Client
    assert.strictEqual(Duration.toSeconds(client.settings.timeouts.connect), 2)
    assert.strictEqual(Duration.toSeconds(pool.settings.connectTimeout), 2)
  }).pipe(
    Effect.scoped,
    Effect.provide(FromEnvironment),
    Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map([
        ["STEADFAST_POOL_CONNECTIONS", "16"],
        ["STEADFAST_POOL_KEEP_ALIVE_TIMEOUT", "10 seconds"],
        ["STEADFAST_TIMEOUT_CONNECT", "2 seconds"]
      ]),
      { pathDelim: "_" }
    ))
  )
}).pipe(Effect.scoped, Effect.provide(FaultServer.layer(scenario)))
