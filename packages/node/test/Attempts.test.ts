/**
 * What an attempt that is cut off costs, counted by the server: a timeout,
 * the deadline or the caller ends it on the socket it had, and nothing opens
 * a connection on its behalf afterwards. N attempts → at most N connections;
 * an interrupt storm leaves no socket open on the server and opens none.
 *
 * it.scopedLive: real sockets on 127.0.0.1; the keep-alive timeout is long
 * (a minute), so a connection left behind would still be open when counted.
 * Waits on the sockets are bounded polls.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "@steadfast/core/line/Cause"
import * as Effect from "@steadfast/core/line/Effect"
import * as Fiber from "@steadfast/core/line/Fiber"
import { Certificates, FaultServer, Scenario } from "@steadfast/testkit"
import { Exit, Option } from "effect"
import type * as net from "node:net"
import { Pool } from "../src/index.js"
import { buildClient, eventually, type RawServer, rawServer } from "./helpers.js"

const longKeepAlive = { keepAliveTimeout: "1 minute", statsInterval: "1 minute" } as const
const retries = { retries: 3, backoff: { base: "1 millis", jitter: "none" } } as const

/** Reads requests and never answers. */
const silent = () => {}
/** Sends half a body, then stalls. */
const stalls = (socket: net.Socket) => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12345")

const cases = [
  {
    name: "response timeout",
    script: silent,
    options: { retry: retries, timeouts: { response: "100 millis" } },
    tag: "ResponseTimeout",
    attempts: 4
  },
  {
    name: "body idle timeout",
    script: stalls,
    options: { retry: retries, timeouts: { bodyIdle: "100 millis" } },
    tag: "BodyTimeout",
    attempts: 4
  },
  {
    name: "deadline",
    script: silent,
    options: { retry: retries, timeouts: { response: "1 minute", deadline: "200 millis" } },
    tag: "DeadlineExceeded",
    attempts: 1
  }
] as const

const idle = (pool: Pool.Service, origin: string) => {
  const s = Effect.runSync(pool.stats).find((s) => s.origin === origin)
  return s === undefined || (s.running === 0 && s.pending === 0 && s.connected === 0)
}

describe("an attempt cut off costs only its own connection", () => {
  for (const scheme of ["http", "https"] as const) {
    for (const c of cases) {
      it.scopedLive(`${scheme}, ${c.name}: ${c.attempts} attempt(s), ${c.attempts} connection(s), none left`, () =>
        Effect.gen(function*() {
          const certs = scheme === "https" ? yield* Certificates.make() : undefined
          const server: RawServer = yield* rawServer(c.script, certs === undefined ? {} : { tls: certs.localhost })
          const { client, context } = yield* buildClient({
            ...c.options,
            pool: longKeepAlive,
            ...(certs === undefined ? {} : { tls: { ca: certs.ca.cert } })
          })
          const pool = yield* Effect.provide(Pool.Pool, context)
          const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.url}/`)))
          expect(error._tag).toBe(c.tag)
          expect(error.attempts).toBe(c.attempts)
          yield* eventually(
            "the server has no socket open and the pool is idle",
            () => server.openSockets() === 0 && idle(pool, server.url)
          )
          // counted once everything is closed: no connection was opened on a cut-off attempt's behalf
          expect([server.accepted(), server.requests()]).toEqual([c.attempts, c.attempts])
        }))
    }
  }
})

/** Forks `n` GETs, each in its own fiber. */
const fork = (
  client: { readonly text: (r: HttpClientRequest.HttpClientRequest) => Effect.Effect<string, unknown> },
  url: string,
  n: number
) =>
  // forked one after the other by the caller, whose children they are (on Effect 4 a fiber forked inside a
  // concurrent forEach's worker is that worker's child, interrupted when the worker ends)
  Effect.forEach(Array.from({ length: n }), () => Effect.fork(client.text(HttpClientRequest.get(url))))

const interruptedOnly = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
  Effect.map(
    Effect.forEach(fibers, Fiber.poll),
    (exits) =>
      exits.every((exit) =>
        Option.isSome(exit) && Exit.isFailure(exit.value) && Cause.isInterruptedOnly(exit.value.cause)
      )
  )

describe("an interrupt storm", () => {
  it.scopedLive(
    "10,000 requests on the default pool (64 on sockets, the rest queued): 0 server sockets after, none opened",
    () =>
      Effect.gen(function*() {
        const server = yield* rawServer(silent)
        const { client, context } = yield* buildClient({ timeouts: { response: "1 minute" }, pool: longKeepAlive })
        const pool = yield* Effect.provide(Pool.Pool, context)
        const fibers = yield* fork(client, `${server.url}/hang`, 10_000)
        yield* eventually("64 requests on sockets, 9,936 queued", () => {
          const s = Effect.runSync(pool.stats).find((s) => s.origin === server.url)
          return server.requests() === Pool.defaultConnections && s?.size === 10_000
        }, 10_000)
        const accepted = server.accepted()
        expect(accepted).toBe(Pool.defaultConnections)
        yield* Fiber.interruptAll(fibers)
        expect(yield* interruptedOnly(fibers)).toBe(true)
        yield* eventually("the server has no socket open", () => server.openSockets() === 0, 1000)
        yield* eventually("the pool is idle", () => idle(pool, server.url))
        // nothing was opened, nothing sent, after the interrupt
        expect([server.accepted(), server.requests()]).toEqual([accepted, Pool.defaultConnections])
      }),
    60_000
  )

  it.scopedLive(
    "2,000 requests on an unbounded pool, all on sockets: 0 server sockets after, none opened",
    () =>
      Effect.gen(function*() {
        const n = 2000
        const server = yield* rawServer(silent)
        const { client, context } = yield* buildClient({
          timeouts: { response: "1 minute" },
          pool: { ...longKeepAlive, connections: Infinity }
        })
        const pool = yield* Effect.provide(Pool.Pool, context)
        const fibers = yield* fork(client, `${server.url}/hang`, n)
        yield* eventually("every request on a socket", () => server.requests() === n, 20_000)
        yield* Fiber.interruptAll(fibers)
        expect(yield* interruptedOnly(fibers)).toBe(true)
        yield* eventually("the server has no socket open", () => server.openSockets() === 0, 1000)
        yield* eventually("the pool is idle", () => idle(pool, server.url))
        expect([server.accepted(), server.requests()]).toEqual([n, n])
      }),
    60_000
  )

  it.scopedLive(
    "2,000 requests on an unbounded pool, cut off while many are still connecting: 0 server sockets after",
    () =>
      Effect.gen(function*() {
        const n = 2000
        const server = yield* rawServer(silent)
        const { client, context } = yield* buildClient({
          timeouts: { response: "1 minute" },
          pool: { ...longKeepAlive, connections: Infinity }
        })
        const pool = yield* Effect.provide(Pool.Pool, context)
        const fibers = yield* fork(client, `${server.url}/hang`, n)
        yield* eventually("some requests on sockets", () => server.requests() >= 200, 20_000)
        yield* Fiber.interruptAll(fibers)
        yield* eventually("the server has no socket open", () => server.openSockets() === 0, 1000)
        yield* eventually("the pool is idle", () => idle(pool, server.url))
        // at most one connection per request, and no request sent after the interrupt
        expect(server.accepted()).toBeLessThanOrEqual(n)
        expect(server.requests()).toBeLessThan(n)
      }),
    60_000
  )

  it.scopedLive("requests cut off while their TLS handshake hangs: the half-open sockets are closed at once", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(Scenario.make({}))
      // only the interruption ends them: the connect timeout (and undici's backstop) is a minute
      const { client, context } = yield* buildClient({
        timeouts: { connect: "1 minute" },
        tls: { ca: server.ca },
        pool: longKeepAlive
      })
      const pool = yield* Effect.provide(Pool.Pool, context)
      const fibers = yield* fork(client, `${server.urls.connectHang}/`, 20)
      yield* eventually("20 handshakes under way", () => Effect.runSync(server.openSockets) === 20, 5000)
      yield* Fiber.interruptAll(fibers)
      yield* eventually("the server has no socket open", () => Effect.runSync(server.openSockets) === 0, 1000)
      yield* eventually("the pool is idle", () => idle(pool, new URL(server.urls.connectHang).origin))
    }))

  it.scopedLive("a cut-off request never opens a connection for the queued requests it leaves behind", () =>
    Effect.gen(function*() {
      // one connection; the first request hangs, nine wait behind it and are cut off too
      const server = yield* rawServer(silent)
      const { client } = yield* buildClient({
        timeouts: { response: "1 minute" },
        pool: { ...longKeepAlive, connections: 1 }
      })
      const fibers = yield* fork(client, `${server.url}/hang`, 10)
      yield* eventually("the first request on the socket", () => server.requests() === 1)
      yield* Fiber.interruptAll(fibers)
      yield* eventually("the server has no socket open", () => server.openSockets() === 0)
      expect([server.accepted(), server.requests()]).toEqual([1, 1])
    }))
})
