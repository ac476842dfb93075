/**
 * Interruption by the caller on real sockets: a thousand requests forked one
 * fiber each and interrupted together give every connection back, leave no
 * fiber behind and no socket open on the server. Through the resilient
 * client, and through the platform `HttpClient` of the same layer (whose
 * requests are cut off by their AbortSignal).
 *
 * it.scopedLive: real sockets on 127.0.0.1, whose teardown only the wall
 * clock moves. Every wait is bounded.
 */
import { makeFiberWatch } from "#testline/fiberWatch"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "@steadfast/core/line/Cause"
import * as Effect from "@steadfast/core/line/Effect"
import * as Fiber from "@steadfast/core/line/Fiber"
import * as Metric from "@steadfast/core/line/Metric"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Exit, Option } from "effect"
import { Pool } from "../src/index.js"
import { buildClient, eventually } from "./helpers.js"

const scenario = Scenario.make({
  "GET /hang": Scenario.sequence([Fault.hang()], { after: "repeat-last" }),
  "GET /ok": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" })
})

const REQUESTS = 1000

type Built = ReturnType<typeof buildClient> extends Effect.Effect<infer A, infer _E, infer _R> ? A : never

/** Sends a GET through one of the layer's clients. */
type Via = (built: Built) => (url: string) => Effect.Effect<unknown, unknown>

const resilient: Via = ({ client }) => (url) => client.text(HttpClientRequest.get(url))

const platform: Via = ({ context }) => {
  const http = Effect.runSync(Effect.provide(HttpClient.HttpClient, context))
  return (url) => Effect.flatMap(http.get(url), (response) => response.text)
}

const interruptThousand = (via: Via) =>
  Effect.gen(function*() {
    const server = yield* FaultServer.make(scenario)
    const built = yield* buildClient({
      // only the interruption ends these requests
      timeouts: { response: "1 minute", deadline: "2 minutes" },
      // long enough that a connection left behind would still be open when counted
      pool: { keepAliveTimeout: "1 minute", statsInterval: "1 minute" }
    })
    const get = via(built)
    const pool = yield* Effect.provide(Pool.Pool, built.context)
    const stats = () => Effect.runSync(pool.stats).find((s) => s.origin === server.urls.http)
    const openSockets = () => Effect.runSync(server.openSockets)

    // every fiber forked below (and anything they fork) is watched; the test's fiber forks them one after the
    // other (on Effect 4 a fiber forked in a concurrent forEach's worker ends with that worker)
    const fiberWatch = yield* makeFiberWatch
    const fibers = yield* Effect.forEach(
      Array.from({ length: REQUESTS }),
      () => Effect.fork(get(`${server.urls.http}/hang`))
    ).pipe(fiberWatch.watch)
    expect(yield* fiberWatch.running).toBeGreaterThanOrEqual(REQUESTS)

    // the default bound: 64 on a connection (and seen by the server), the rest queued
    yield* eventually("the server holds the pool's connections", () => {
      const s = stats()
      return s !== undefined && s.running === Pool.defaultConnections && s.size === REQUESTS &&
        Effect.runSync(server.hits("GET /hang")) === Pool.defaultConnections &&
        openSockets() === Pool.defaultConnections
    }, 3000)
    expect(stats()?.pending).toBe(REQUESTS - Pool.defaultConnections)

    yield* Fiber.interruptAll(fibers)

    // every fiber is done, ended by the interruption alone (no typed error, no defect)
    const exits = yield* Effect.forEach(fibers, Fiber.poll)
    expect(exits.filter(Option.isNone)).toHaveLength(0)
    expect(
      exits.filter((exit) =>
        Option.isSome(exit) && !(Exit.isFailure(exit.value) && Cause.isInterruptedOnly(exit.value.cause))
      )
    ).toHaveLength(0)
    // nothing the requests forked is still alive
    expect(yield* fiberWatch.running).toBe(0)

    // the pool is idle: nothing runs, nothing waits (undici drops the
    // cancelled requests of its queue asynchronously)
    yield* eventually("nothing runs or waits", () => {
      const s = stats()
      return s === undefined || (s.running === 0 && s.pending === 0 && s.size === 0)
    })
    const gauge = (metric: typeof Pool.running) =>
      Metric.value(Metric.tagged(metric, "origin", server.urls.http)).pipe(Effect.map((state) => state.value))
    expect([yield* gauge(Pool.running), yield* gauge(Pool.pending), yield* gauge(Pool.size)]).toEqual([0, 0, 0])
    // no cancelled request reached the server
    expect(yield* server.hits("GET /hang")).toBe(Pool.defaultConnections)

    // the sockets that carried a request were destroyed: the server ends with none open
    yield* eventually("the server has no socket open", () => openSockets() === 0, 2000)
    expect(stats()?.connected ?? 0).toBe(0)

    // and the pool still serves requests
    yield* get(`${server.urls.http}/ok`)
    expect(yield* server.hits("GET /ok")).toBe(1)
  })

/**
 * Mid-body: the head arrived and the body trickles (16 bytes every 5 s), so
 * each request waits in its body read when it is interrupted. The read
 * registers no canceler of its own (`Transport.Attempt.abortsOnInterrupt`):
 * the client's abort of the attempt is what closes the socket.
 */
const interruptMidBody = Effect.gen(function*() {
  const n = 20
  const server = yield* FaultServer.make(Scenario.make({
    "GET /slow": Scenario.sequence(
      [Fault.trickle({ chunkSize: 16, interval: "5 seconds" }, Reply.text(200, "x".repeat(1024)))],
      { after: "repeat-last" }
    )
  }))
  const built = yield* buildClient({
    timeouts: { response: "1 minute", bodyIdle: "1 minute", deadline: "2 minutes" },
    pool: { keepAliveTimeout: "1 minute", statsInterval: "1 minute" }
  })
  const openSockets = () => Effect.runSync(server.openSockets)
  const fibers = yield* Effect.forEach(
    Array.from({ length: n }),
    () => Effect.fork(built.client.text(HttpClientRequest.get(`${server.urls.http}/slow`)))
  )
  yield* eventually(
    "the server answered every request",
    () => Effect.runSync(server.hits("GET /slow")) === n && openSockets() === n,
    3000
  )
  // the heads and first chunks are on their way; the next chunk is 5 s off
  yield* Effect.sleep("200 millis")
  expect((yield* Effect.forEach(fibers, Fiber.poll)).filter(Option.isSome)).toHaveLength(0)

  yield* Fiber.interruptAll(fibers)
  const exits = yield* Effect.forEach(fibers, Fiber.poll)
  expect(
    exits.filter((exit) =>
      Option.isNone(exit) || !(Exit.isFailure(exit.value) && Cause.isInterruptedOnly(exit.value.cause))
    )
  ).toHaveLength(0)
  // each socket was in the middle of a body: it cannot be reused, it is closed
  yield* eventually("the server has no socket open", () => openSockets() === 0, 2000)
})

describe("interruption", () => {
  it.scopedLive(
    "interrupting 20 requests in the middle of their bodies closes their 20 sockets",
    () => interruptMidBody,
    10_000
  )

  it.scopedLive(
    "interrupting 1,000 in-flight requests leaves the pool idle and the server with 0 open sockets",
    () => interruptThousand(resilient),
    10_000
  )

  it.scopedLive(
    "the same through the platform HttpClient of the layer",
    () => interruptThousand(platform),
    10_000
  )
})
