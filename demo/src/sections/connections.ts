/**
 * Sections 5 and 6: redirects that keep credentials at home, and the pool
 * under load, read from its gauges.
 */
import { Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { HttpClientRequest } from "@steadfast/core/line/http"
import * as Metric from "@steadfast/core/line/Metric"
import { Pool } from "@steadfast/node"
import { FaultServer } from "@steadfast/testkit"
import { Clock, Fiber } from "effect"
import type { PoolSnapshot, PoolTour, Redirects } from "../result.js"
import { get, measure, millis, receivedOn, row, Story, timedSection, withNodeClient } from "../story.js"
export const redirects = (server: FaultServer.Service): Effect.Effect<Redirects> =>
  timedSection(withNodeClient(server, { retry: { retries: 0 } }, ({ client }) =>
    Effect.gen(function*() {
      const story = new Story()
      story.text("GET /login with Authorization: Bearer …; 302 to another origin")
      const echoed = yield* Effect.either(client.json(
        get(server.urls.https, "/login").pipe(HttpClientRequest.bearerToken("s3cret"))
      ))
      const echo = Either.isRight(echoed)
        ? echoed.right as { readonly url?: string; readonly headers?: Record<string, string> }
        : undefined
      const url = echo?.url ?? (Either.isLeft(echoed) ? echoed.left._tag : "")
      const authorization = echo?.headers?.["authorization"]
      story.check(
        "the other origin was reached",
        `${server.urls.secondaryHttps}/whoami`,
        url,
        url.startsWith(server.urls.secondaryHttps)
      )
      story.check("the Authorization it received", "(none)", authorization ?? "(none)")
      story.text("GET /downgrade; 302 from https to plain http")
      const downgrade = row(
        "https → http redirect",
        "RedirectBlocked",
        "downgrade",
        yield* measure(client.text(get(server.urls.https, "/downgrade")))
      )
      story.rows("what the server did", [downgrade])
      return (elapsedMs: number) =>
        story.section("redirects", "Credentials do not follow a redirect to another origin", elapsedMs, {
          forwarded: { url, authorization },
          downgrade
        })
    })))

const snapshotOf = (stats: ReadonlyArray<Pool.Stats>, origin: string): PoolSnapshot => {
  const s = stats.find((s) => s.origin === origin)
  return {
    connected: s?.connected ?? 0,
    free: s?.free ?? 0,
    pending: s?.pending ?? 0,
    running: s?.running ?? 0,
    size: s?.size ?? 0
  }
}

const gauges = (origin: string): Effect.Effect<PoolSnapshot> => {
  const value = (gauge: typeof Pool.connected) =>
    Effect.map(Metric.value(Metric.tagged(gauge, "origin", origin)), (s) => s.value)
  return Effect.all({
    connected: value(Pool.connected),
    free: value(Pool.free),
    pending: value(Pool.pending),
    running: value(Pool.running),
    size: value(Pool.size)
  })
}

/** Formats a snapshot the way the gauges are named. */
export const formatSnapshot = (s: PoolSnapshot): string =>
  `connected ${s.connected}, free ${s.free}, pending ${s.pending}, running ${s.running}, size ${s.size}`

/** Polls `check` every 5 ms for up to `timeoutMs`; the last value it saw. */
const poll = <A>(read: Effect.Effect<A>, until: (a: A) => boolean, timeoutMs: number) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    let value = yield* read
    while (!until(value) && (yield* Clock.currentTimeMillis) - start < timeoutMs) {
      yield* Effect.sleep("5 millis")
      value = yield* read
    }
    return value
  })

export const pool = (server: FaultServer.Service, requests: number): Effect.Effect<PoolTour> =>
  timedSection(Effect.gen(function*() {
    const story = new Story()
    const origin = new URL(server.urls.https).origin
    const connections = 8
    const burst = 32
    const concurrency = 64
    const staleCount = Effect.map(
      Metric.value(Metric.tagged(Pool.staleRetries, "origin", origin)),
      (s) => s.count
    )
    const staleBefore = yield* staleCount

    const inside = yield* withNodeClient(
      server,
      { pool: { connections } },
      ({ client, pool }) =>
        Effect.gen(function*() {
          const snapshot = Effect.map(pool.stats, (stats) => snapshotOf(stats, origin))
          // undici counts a connection as free once it has emitted 'drain',
          // which it does a tick after its last response: read the stats of an
          // idle pool once they have caught up (or after 1 s, as they are)
          const settled = poll(snapshot, (s) => s.size === 0 && s.free === s.connected, 1000)
          story.text(`A pool of ${connections} connections per origin; ${burst} requests at once to GET /slow (100 ms)`)
          const fiber = yield* Effect.fork(Effect.all(
            Array.from({ length: burst }, () => client.json(get(server.urls.https, "/slow"))),
            { concurrency: "unbounded" }
          ))
          const busy = yield* poll(snapshot, (s) => s.running === connections && s.pending > 0, 3000)
          const busyGauges = yield* gauges(origin)
          const burstResult = yield* Effect.either(Fiber.join(fiber))
          story.check(
            "Pool.stats while busy",
            `connected ${connections}, running ${connections}, pending > 0`,
            formatSnapshot(busy),
            busy.connected === connections && busy.running === connections && busy.pending > 0
          )
          story.check("the Pool gauges then", formatSnapshot(busy), formatSnapshot(busyGauges))
          story.check(
            `the ${burst} requests`,
            "all answered",
            Either.isRight(burstResult) ? "all answered" : burstResult.left._tag
          )
          const idle = yield* settled
          story.check(
            "after the burst",
            `connected ${connections}, free ${connections}, nothing running or waiting`,
            formatSnapshot(idle),
            idle.connected === connections && idle.free === connections && idle.size === 0
          )

          const [elapsed, throughput] = yield* Effect.timed(Effect.either(Effect.forEach(
            Array.from({ length: requests }),
            () => client.json(get(server.urls.https, "/items")),
            { concurrency, discard: true }
          )))
          const throughputMs = millis(elapsed)
          story.text(
            `${requests} requests to GET /items, ${concurrency} at a time: ${throughputMs} ms (${
              Math.round(requests * 1000 / Math.max(1, throughputMs))
            } requests/s)`
          )
          const afterThroughput = yield* settled
          const openSockets = yield* server.openSockets
          story.check(
            "all answered, same connections",
            `yes; connected ${connections}, ${connections} open on the server`,
            `${Either.isRight(throughput) ? "yes" : throughput.left._tag}; connected ${afterThroughput.connected}, ` +
              `${openSockets} open on the server`
          )

          story.text(
            "GET /stale, retries off: the server closes the kept-alive connection the request arrives on " +
              "(as when its idle timer fires); the transport sends it once more on another connection"
          )
          const stale = yield* Effect.either(
            Client.withOptions(client, { retry: { retries: 0 } }).text(get(server.urls.https, "/stale"))
          )
          const staleBody = Either.isRight(stale) ? stale.right : stale.left._tag
          const staleReceived = (yield* receivedOn(server, "GET /stale")).length
          const staleResends = (yield* staleCount) - staleBefore
          story.check("the client reports", "fresh", staleBody)
          story.check(
            "resends (Pool.staleRetries)",
            "1; the server received it 2 times",
            `${staleResends}; the server received it ${staleReceived} times`
          )
          const final = yield* settled
          story.check(
            "before the pool closes",
            "idle: nothing running or waiting",
            formatSnapshot(final),
            final.running === 0 && final.pending === 0 && final.size === 0
          )
          return {
            busy,
            busyGauges,
            idle,
            throughput: { requests, concurrency, elapsedMs: throughputMs },
            afterThroughput,
            stale: { body: staleBody, received: staleReceived, staleResends },
            final
          }
        })
    )

    // the pool's scope is closed: every socket should be gone from the server
    const openSocketsAfterClose = yield* poll(server.openSockets, (n) => n === 0, 2000)
    const connectedGaugeAfterClose = (yield* gauges(origin)).connected
    story.check(
      "once its scope closed",
      "0 sockets open on the server, connected gauge 0",
      `${openSocketsAfterClose} socket${openSocketsAfterClose === 1 ? "" : "s"} open on the server, ` +
        `connected gauge ${connectedGaugeAfterClose}`
    )
    return (elapsedMs: number) =>
      story.section("pool", "The pool at work", elapsedMs, {
        connections,
        ...inside,
        openSocketsAfterClose,
        connectedGaugeAfterClose
      })
  }))
