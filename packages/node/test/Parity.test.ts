/**
 * One scenario, two networks: every fault and reply of the testkit's
 * vocabulary, run through the core client in memory (SimulatedNetwork under
 * the TestClock) and on real loopback sockets (FaultServer through the
 * undici transport), gives the same outcome: the same `_tag`, the same
 * fields a user acts on, the same number of requests on the wire.
 *
 * Each row builds one `Scenario` value and plays it on both sides; the
 * in-memory half runs under a fresh TestClock (virtual time, starting at
 * the same instant as the socket half, so that an HTTP date means the same
 * on both sides), the socket half live.
 *
 * it.scopedLive: the socket half needs real sockets and the FaultServer's
 * real timers. Each row gets a fresh server and pool, so no request rides on
 * a reused connection it did not expect: a reset there is sent once more
 * (see Resets.test.ts), which the one explicit exception of the table shows.
 */
import { testEnvironment } from "#testline/testEnvironment"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, type Errors } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import * as FiberRef from "@steadfast/core/line/FiberRef"
import * as LogLevel from "@steadfast/core/line/LogLevel"
import * as TestClock from "@steadfast/core/line/TestClock"
import { Fault, FaultServer, Reply, SimulatedNetwork } from "@steadfast/testkit"
import { Clock, Fiber, Layer } from "effect"
import { NodeClient } from "../src/index.js"
import { eventually } from "./helpers.js"
import { noRetries, type Row } from "./parity/row.js"
import { httpRows } from "./parity/rows.http.js"
import { wireRows } from "./parity/rows.wire.js"

const rows: ReadonlyArray<Row> = [...wireRows, ...httpRows]

// -----------------------------------------------------------------------------

interface Summary {
  readonly tag: string
  readonly fields: Readonly<Record<string, unknown>>
  /** Requests the network saw (redirect hops and retries included). */
  readonly wire: number
}

/** What is comparable between the two sides: no host names, ports or wall-clock times. */
const summarize = (
  row: Row,
  base: string,
  result: Either.Either<unknown, Errors.HttpError>,
  wire: number,
  time: { readonly start: number; readonly sentAt: number }
): Summary => {
  if (Either.isRight(result)) {
    const value = result.right
    if (value instanceof Uint8Array) return { tag: "Success", fields: { value: Array.from(value) }, wire }
    if (row.uses.includes("Reply.echo") && typeof value === "string") {
      const echo = JSON.parse(value) as {
        method: string
        url: string
        headers: Record<string, string>
        body: string
      }
      const url = new URL(echo.url)
      return {
        tag: "Success",
        fields: {
          value: {
            method: echo.method,
            path: url.pathname,
            crossOrigin: url.origin !== new URL(base).origin,
            ...(row.body === undefined
              ? { headers: [echo.headers["authorization"], echo.headers["cookie"], echo.headers["x-keep"]] }
              : { body: echo.body })
          }
        },
        wire
      }
    }
    return { tag: "Success", fields: { value }, wire }
  }
  const e = result.left
  const common = {
    attempts: e.attempts,
    history: e.history.map((h) => [h.tag, h.status, h.delayMs])
  }
  const fields = ((): Record<string, unknown> => {
    switch (e._tag) {
      case "DnsError":
        return { temporary: e.temporary, code: e.code }
      case "ConnectionReset":
        return { phase: e.phase, requestSent: e.requestSent, code: e.code }
      case "TlsError":
        return { reason: e.reason }
      case "TransportError":
        return { reason: e.reason, requestSent: e.requestSent }
      case "ConnectTimeout":
      case "ResponseTimeout":
        return { timeoutMs: e.timeoutMs }
      case "BodyTimeout":
        return { timeoutMs: e.timeoutMs, bytesReceived: e.bytesReceived }
      case "StatusError":
        return {
          status: e.status,
          retryAfterMs: e.retryAfterMs,
          // An HTTP date is read against the clock when the response arrives:
          // exactly `start` in memory, a few ms after `sentAt` on the wall
          // clock. The date is a whole second and the response comes within
          // a second, so rounding `sentAt + retryAfterMs` up to the second
          // gives back the date on both sides, exactly.
          retryAt: e.retryAfterMs === undefined
            ? undefined
            : Math.ceil((time.sentAt + e.retryAfterMs) / 1000) * 1000 - time.start,
          body: e.body,
          rateLimit: e.headers["x-rate-limit"]
        }
      case "RedirectBlocked":
        return { reason: e.reason, location: [new URL(e.location).protocol, new URL(e.location).pathname] }
      case "TooManyRedirects":
        return { loop: e.loop, max: e.max, chain: e.chain.map((u) => new URL(u).pathname) }
      default:
        return {}
    }
  })()
  // `retryAt` only where the row reads an HTTP date; there it replaces the
  // delay, which depends on when the wall clock read it
  if (row.fields?.["retryAt"] === undefined) delete fields["retryAt"]
  else delete fields["retryAfterMs"]
  return { tag: e._tag, fields: { ...common, ...fields }, wire }
}

const request = (row: Row, base: string) => {
  const url = `${base}/fault`
  const req = row.method === "POST" ? HttpClientRequest.post(url) : HttpClientRequest.get(url)
  return req.pipe(
    HttpClientRequest.setHeaders(row.headers ?? {}),
    row.body === undefined ? (r) => r : HttpClientRequest.bodyText(row.body)
  )
}

const send = (client: Client.ResilientClient, row: Row, base: string) => {
  const req = request(row, base)
  switch (row.read ?? "text") {
    case "text":
      return client.text(req)
    case "json":
      return client.json(req)
    case "bytes":
      return client.bytes(req)
  }
}

/** The row on the simulated network, under a fresh TestClock set to `start`. */
const inMemory = (row: Row, start: number): Effect.Effect<Summary> => {
  const base = `${row.scheme ?? "http"}://api.test`
  return Effect.gen(function*() {
    yield* TestClock.setTime(start)
    const net = yield* SimulatedNetwork.SimulatedNetwork
    const client = yield* Client.Client
    const fiber = yield* Effect.fork(Effect.either(send(client, row, base)))
    // far past every timeout and retry; the TestClock runs each sleep in order
    yield* TestClock.adjust("1 minute")
    const result = yield* Fiber.join(fiber)
    return summarize(row, base, result, (yield* net.timeline).length, { start, sentAt: start })
  }).pipe(
    Effect.provide(
      Client.layer(row.options ?? noRetries).pipe(
        Layer.orDie,
        Layer.provideMerge(SimulatedNetwork.layer(row.scenario(start)))
      )
    ),
    Effect.provide(testEnvironment)
  )
}

/** The row on the FaultServer through the undici transport, on the wall clock. */
const onSockets = (row: Row, start: number) =>
  Effect.gen(function*() {
    const server = yield* FaultServer.make(row.scenario(start))
    const base = server.urls[row.scheme ?? "http"]
    const [sentAt, result] = yield* Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(NodeClient.layer({
        ...(row.options ?? noRetries),
        proxy: { url: "none" },
        tls: { ca: server.ca },
        pool: {
          interceptors: [server.interceptor],
          ...(row.connections === undefined ? {} : { connections: row.connections })
        }
      }))
      const client = yield* Effect.provide(Client.Client, context)
      const sentAt = yield* Clock.currentTimeMillis
      return [sentAt, yield* Effect.either(send(client, row, base))] as const
    }))
    expect(yield* server.exhausted).toEqual([])
    // the pool is closed: the server must see every socket go
    const open = yield* server.openSockets
    yield* eventually(`the FaultServer's ${open} socket(s) close`, () => Effect.runSync(server.openSockets) === 0)
    return summarize(row, base, result, (yield* server.attempts).length, { start, sentAt })
  })

/** Every vocabulary constructor a table must exercise. */
const vocabulary = [
  ...Object.keys(Reply).map((k) => `Reply.${k}`),
  ...Object.keys(Fault).map((k) => `Fault.${k}`),
  "retryAfterValue"
]

describe("parity: one scenario in memory and on sockets", () => {
  it("the table covers every constructor of the vocabulary", () => {
    const used = new Set(rows.flatMap((r) => r.uses))
    expect(vocabulary.filter((name) => !used.has(name))).toEqual([])
    expect([...used].filter((name) => !vocabulary.includes(name))).toEqual([])
  })

  for (const row of rows) {
    const title = row.onSockets === undefined
      ? `${row.name}: ${row.tag}`
      : `${row.name}: ${row.tag} in memory, ${row.onSockets.tag} on sockets (exception)`
    it.scopedLive(title, () =>
      Effect.gen(function*() {
        // the last whole second: both halves start there
        const start = Math.floor((yield* Clock.currentTimeMillis) / 1000) * 1000
        const sockets = yield* onSockets(row, start)
        const memory = yield* inMemory(row, start)
        if (row.onSockets !== undefined) {
          expect({ sockets: sockets.tag, memory: memory.tag }).toEqual({ sockets: row.onSockets.tag, memory: row.tag })
          expect(sockets.wire).toBe(row.onSockets.wire)
          if (row.onSockets.fields !== undefined) expect(sockets.fields).toMatchObject(row.onSockets.fields)
        } else {
          expect({ sockets: sockets.tag, memory: memory.tag }).toEqual({ sockets: row.tag, memory: row.tag })
          expect(sockets).toEqual(memory)
        }
        expect(memory.wire).toBe(row.wire ?? 1)
        if (row.fields !== undefined) expect(memory.fields).toMatchObject(row.fields)
        if (memory.tag !== "Success") expect(memory.fields["attempts"]).toBe(row.fields?.["attempts"] ?? 1)
      }).pipe(Effect.locally(FiberRef.currentMinimumLogLevel, LogLevel.Warning)))
  }
})
