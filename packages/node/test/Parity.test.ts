/**
 * One scenario, two networks: every fault and reply of the testkit's
 * vocabulary, run through the core client in memory (SimulatedNetwork under
 * the TestClock) and on real loopback sockets (FaultServer through the
 * undici transport), gives the same outcome: the same `_tag`, the same
 * fields a user acts on, the same number of requests on the wire.
 *
 * Each row builds one `Scenario` value and plays it on both sides; the
 * in-memory half runs under a fresh `TestContext` (virtual time, starting at
 * the same instant as the socket half, so that an HTTP date means the same
 * on both sides), the socket half live.
 *
 * it.scopedLive: the socket half needs real sockets and the FaultServer's
 * real timers. Each row gets a fresh server and pool, so no request rides on
 * a reused connection it did not expect: a reset there is sent once more
 * (see Resets.test.ts), which the one explicit exception of the table shows.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, type Errors, type Timeouts } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { Fault, type Fault as FaultT, FaultServer, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Clock, Fiber, Layer, Logger, LogLevel, TestClock, TestContext } from "effect"
import { NodeClient } from "../src/index.js"
import { eventually } from "./helpers.js"

const timeouts: Timeouts.Input = {
  connect: "250 millis",
  response: "500 millis",
  bodyIdle: "300 millis",
  deadline: "5 seconds"
}

const noRetries: Client.Options = { retry: { retries: 0 }, timeouts }

/** Retries with fixed, jitter-free delays, so both sides wait the same. */
const retries = (n: number): Client.Options => ({
  retry: { retries: n, backoff: { base: "20 millis", factor: 1, jitter: "none" } },
  timeouts
})

type Read = "text" | "json" | "bytes"

interface Row {
  readonly name: string
  /** The vocabulary constructors the row exercises (checked for coverage below). */
  readonly uses: ReadonlyArray<string>
  /** The scenario; `start` is when both sides start (epoch ms, a whole second), for HTTP dates. */
  readonly scenario: (start: number) => Scenario.Scenario
  /** The expected `_tag`, `"Success"` for a success. */
  readonly tag: string
  /** The fields expected on both sides (a subset of the summary's `fields`), when worth stating. */
  readonly fields?: Readonly<Record<string, unknown>>
  /** The requests both networks are expected to see (redirect hops and retries included). @default 1 */
  readonly wire?: number
  readonly scheme?: "http" | "https"
  readonly method?: "GET" | "POST"
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** @default "text" */
  readonly read?: Read
  /** @default no retries */
  readonly options?: Client.Options
  /** Connections per origin on sockets. @default the pool's default */
  readonly connections?: number
  /**
   * An explicit exception: what the socket half gives instead, and why the
   * two cannot agree. Both halves are still checked, each against its own
   * expectation.
   */
  readonly onSockets?: {
    readonly tag: string
    readonly fields?: Readonly<Record<string, unknown>>
    readonly wire: number
    readonly why: string
  }
}

/** One route `GET /fault` (or `POST /fault`) with one step, plus what redirects point to. */
const single = (fault: FaultT, method: "GET" | "POST" = "GET") => () =>
  Scenario.make({
    [`${method} /fault`]: Scenario.sequence([fault], { after: "fail" }),
    ...targets
  })

const targets = {
  "GET /target": Scenario.sequence([Reply.text(200, "target")], { after: "repeat-last" }),
  // in memory every origin is routed by path; on sockets the secondary
  // origin echoes by itself and this route serves only the primary
  "* /echo": Scenario.sequence([Reply.echo()], { after: "repeat-last" })
}

const steps = (...faults: ReadonlyArray<FaultT>) => () =>
  Scenario.make({ "GET /fault": Scenario.sequence(faults, { after: "fail" }), ...targets })

const text64 = Reply.text(200, "x".repeat(64))
const binary = new Uint8Array([0, 1, 2, 127, 128, 254, 255, 13, 10])
const secrets = { authorization: "Bearer s3cret", cookie: "session=abc", "x-keep": "kept" }

const rows: ReadonlyArray<Row> = [
  // -- replies ----------------------------------------------------------------
  {
    name: "JSON reply",
    uses: ["Reply.json"],
    scenario: single(Reply.json(200, { id: 1, tags: ["a"] })),
    read: "json",
    tag: "Success",
    fields: { value: { id: 1, tags: ["a"] } }
  },
  {
    name: "text reply",
    uses: ["Reply.text"],
    scenario: single(Reply.text(200, "héllo")),
    tag: "Success",
    fields: { value: "héllo" }
  },
  {
    name: "bytes reply",
    uses: ["Reply.bytes"],
    scenario: single(Reply.bytes(200, binary)),
    read: "bytes",
    tag: "Success",
    fields: { value: Array.from(binary) }
  },
  {
    name: "empty 204",
    uses: ["Reply.empty"],
    scenario: single(Reply.empty(204)),
    tag: "Success",
    fields: { value: "" }
  },
  {
    name: "echo",
    uses: ["Reply.echo"],
    scenario: single(Reply.echo()),
    headers: { "x-keep": "kept" },
    tag: "Success",
    fields: { value: { method: "GET", path: "/fault", crossOrigin: false, headers: [undefined, undefined, "kept"] } }
  },
  {
    name: "JSON 404",
    uses: ["Reply.json"],
    scenario: single(Reply.json(404, { error: "nope" })),
    tag: "StatusError",
    fields: { status: 404, retryAfterMs: undefined, body: `{"error":"nope"}` }
  },
  // -- statuses ---------------------------------------------------------------
  {
    name: "status 500",
    uses: ["Fault.status"],
    scenario: single(Fault.status(500)),
    tag: "StatusError",
    fields: { status: 500, retryAfterMs: undefined, body: "status 500" }
  },
  {
    name: "status 503 + Retry-After in seconds",
    uses: ["Fault.status", "retryAfterValue"],
    scenario: single(Fault.status(503, { retryAfter: 2 })),
    tag: "StatusError",
    fields: { status: 503, retryAfterMs: 2000 }
  },
  {
    name: "status 503 + Retry-After as an HTTP date",
    uses: ["Fault.status", "retryAfterValue"],
    // eight seconds after the start (see `retryAt` in the summary)
    scenario: (start) => single(Fault.status(503, { retryAfter: new Date(start + 8000) }))(),
    tag: "StatusError",
    fields: { status: 503, retryAt: 8000 }
  },
  {
    name: "429 + Retry-After",
    uses: ["Fault.status"],
    scenario: single(Fault.status(429, { retryAfter: 1, headers: { "x-rate-limit": "0" } })),
    tag: "StatusError",
    fields: { status: 429, retryAfterMs: 1000, rateLimit: "0" }
  },
  // -- connection-level faults (the interceptor on sockets) -------------------
  {
    name: "DNS not found",
    uses: ["Fault.dns"],
    scenario: single(Fault.dns()),
    tag: "DnsError",
    fields: { temporary: false, code: "ENOTFOUND" }
  },
  {
    name: "DNS temporary",
    uses: ["Fault.dns"],
    scenario: single(Fault.dns({ temporary: true })),
    tag: "DnsError",
    fields: { temporary: true, code: "EAI_AGAIN" }
  },
  { name: "refused", uses: ["Fault.refused"], scenario: single(Fault.refused()), tag: "ConnectionRefused" },
  // the errno differs on purpose (ENETUNREACH in memory, a real EADDRNOTAVAIL
  // on loopback, see Fault.Unreachable): both are NetworkUnreachable
  {
    name: "unreachable",
    uses: ["Fault.unreachable"],
    scenario: single(Fault.unreachable()),
    tag: "NetworkUnreachable"
  },
  ...(["self-signed", "expired", "hostname-mismatch", "handshake"] as const).map((reason): Row => ({
    name: `TLS ${reason}`,
    uses: ["Fault.tls"],
    scenario: single(Fault.tls(reason)),
    scheme: "https",
    tag: "TlsError",
    fields: { reason }
  })),
  {
    name: "connect latency under the connect timeout",
    uses: ["Fault.connectLatency"],
    scenario: single(Fault.connectLatency("50 millis", Reply.text(200, "connected"))),
    tag: "Success",
    fields: { value: "connected" }
  },
  {
    name: "connect latency over the connect timeout",
    uses: ["Fault.connectLatency"],
    scenario: single(Fault.connectLatency("2 seconds")),
    tag: "ConnectTimeout",
    fields: { timeoutMs: 250 }
  },
  {
    name: "connect latency, then refused",
    uses: ["Fault.connectLatency", "Fault.refused"],
    scenario: single(Fault.connectLatency("50 millis", Fault.refused())),
    tag: "ConnectionRefused"
  },
  {
    name: "connect hang (http: SYNs dropped)",
    uses: ["Fault.connectHang"],
    scenario: single(Fault.connectHang()),
    tag: "ConnectTimeout",
    fields: { timeoutMs: 250 }
  },
  {
    name: "connect hang (https: no ServerHello)",
    uses: ["Fault.connectHang"],
    scenario: single(Fault.connectHang()),
    scheme: "https",
    tag: "ConnectTimeout",
    fields: { timeoutMs: 250 }
  },
  // -- faults on an open connection -------------------------------------------
  {
    name: "reset before the response",
    uses: ["Fault.reset"],
    scenario: single(Fault.reset()),
    tag: "ConnectionReset",
    fields: { phase: "before-response", requestSent: true, code: "ECONNRESET" }
  },
  {
    name: "close (FIN) before the response",
    uses: ["Fault.close"],
    scenario: single(Fault.close()),
    tag: "ConnectionReset",
    fields: { phase: "before-response", requestSent: true, code: "UND_ERR_SOCKET" }
  },
  {
    name: "reset mid-body after 10 bytes",
    uses: ["Fault.resetMidBody"],
    scenario: single(Fault.resetMidBody(10)),
    tag: "ConnectionReset",
    fields: { phase: "during-body", code: "ECONNRESET" }
  },
  {
    name: "reset mid-body past the body's end (the cut never bites)",
    uses: ["Fault.resetMidBody"],
    scenario: single(Fault.resetMidBody(64, text64)),
    tag: "Success",
    fields: { value: "x".repeat(64) }
  },
  {
    name: "reset right after the headers (0 body bytes)",
    uses: ["Fault.resetMidBody"],
    scenario: single(Fault.resetMidBody(0)),
    tag: "ConnectionReset",
    fields: { phase: "during-body", code: "ECONNRESET" }
  },
  {
    name: "truncated body",
    uses: ["Fault.truncate"],
    scenario: single(Fault.truncate(10, Reply.json(200, { long: "x".repeat(100) }))),
    read: "json",
    tag: "ConnectionReset",
    fields: { phase: "during-body", code: "UND_ERR_SOCKET" }
  },
  {
    name: "response latency under the response timeout",
    uses: ["Fault.latency"],
    scenario: single(Fault.latency("50 millis")),
    tag: "Success",
    fields: { value: "" }
  },
  {
    name: "response latency over the response timeout",
    uses: ["Fault.latency"],
    scenario: single(Fault.latency("2 seconds")),
    tag: "ResponseTimeout",
    fields: { timeoutMs: 500 }
  },
  {
    name: "latency, then a JSON reply",
    uses: ["Fault.latency", "Reply.json"],
    scenario: single(Fault.latency("50 millis", Reply.json(200, { late: true }))),
    read: "json",
    tag: "Success",
    fields: { value: { late: true } }
  },
  {
    name: "latency, then a reset",
    uses: ["Fault.latency", "Fault.reset"],
    scenario: single(Fault.latency("50 millis", Fault.reset())),
    tag: "ConnectionReset",
    fields: { phase: "before-response" }
  },
  {
    name: "latency, then a trickle",
    uses: ["Fault.latency", "Fault.trickle"],
    scenario: single(Fault.latency("50 millis", Fault.trickle({ chunkSize: 32, interval: "20 millis" }, text64))),
    tag: "Success",
    fields: { value: "x".repeat(64) }
  },
  {
    name: "never answers",
    uses: ["Fault.hang"],
    scenario: single(Fault.hang()),
    tag: "ResponseTimeout",
    fields: { timeoutMs: 500 }
  },
  {
    name: "trickle under the body idle timeout",
    uses: ["Fault.trickle"],
    scenario: single(Fault.trickle({ chunkSize: 16, interval: "20 millis" }, text64)),
    tag: "Success",
    fields: { value: "x".repeat(64) }
  },
  {
    name: "trickle over the body idle timeout",
    uses: ["Fault.trickle"],
    scenario: single(Fault.trickle({ chunkSize: 16, interval: "2 seconds" }, text64)),
    tag: "BodyTimeout",
    fields: { timeoutMs: 300, bytesReceived: 0 }
  },
  {
    name: "malformed response",
    uses: ["Fault.malformed"],
    scenario: single(Fault.malformed()),
    tag: "TransportError",
    fields: { reason: "malformed-response", requestSent: true }
  },
  // -- redirects ----------------------------------------------------------------
  {
    name: "redirect chain 301 → 302 → 307 → 308 → 200",
    uses: ["Fault.redirect"],
    scenario: () =>
      Scenario.make({
        "GET /fault": [Fault.redirect(301, "/r1")],
        "GET /r1": [Fault.redirect(302, "/r2")],
        "GET /r2": [Fault.redirect(307, "/r3")],
        "GET /r3": [Fault.redirect(308, "/target")],
        ...targets
      }),
    wire: 5,
    tag: "Success",
    fields: { value: "target" }
  },
  {
    name: "redirect loop",
    uses: ["Fault.redirect"],
    scenario: () =>
      Scenario.make({
        "GET /fault": [Fault.redirect(302, "/other")],
        "GET /other": [Fault.redirect(302, "/fault")],
        ...targets
      }),
    wire: 2,
    tag: "TooManyRedirects",
    fields: { loop: true, chain: ["/fault", "/other", "/fault"] }
  },
  {
    name: "too many redirects",
    uses: ["Fault.redirect"],
    scenario: () =>
      Scenario.make({
        "GET /fault": [Fault.redirect(302, "/r1")],
        "GET /r1": [Fault.redirect(302, "/r2")],
        "GET /r2": [Fault.redirect(302, "/r3")],
        ...targets
      }),
    options: { ...noRetries, redirects: { max: 2 } },
    wire: 3,
    tag: "TooManyRedirects",
    fields: { loop: false, max: 2, chain: ["/fault", "/r1", "/r2", "/r3"] }
  },
  {
    name: "cross-origin redirect drops Authorization and Cookie",
    uses: ["Fault.redirect", "Reply.echo"],
    scenario: single(Fault.redirect(302, "/echo", "secondary")),
    headers: secrets,
    wire: 2,
    tag: "Success",
    fields: { value: { method: "GET", path: "/echo", crossOrigin: true, headers: [undefined, undefined, "kept"] } }
  },
  {
    name: "same-origin redirect keeps them",
    uses: ["Fault.redirect", "Reply.echo"],
    scenario: single(Fault.redirect(307, "/echo")),
    headers: secrets,
    wire: 2,
    tag: "Success",
    fields: {
      value: { method: "GET", path: "/echo", crossOrigin: false, headers: ["Bearer s3cret", "session=abc", "kept"] }
    }
  },
  {
    name: "303 after POST turns into a GET without body",
    uses: ["Fault.redirect", "Reply.echo"],
    scenario: single(Fault.redirect(303, "/echo"), "POST"),
    method: "POST",
    body: "payload",
    wire: 2,
    tag: "Success",
    fields: { value: { method: "GET", path: "/echo", crossOrigin: false, body: "" } }
  },
  {
    name: "307 after POST keeps the method and body",
    uses: ["Fault.redirect", "Reply.echo"],
    scenario: single(Fault.redirect(307, "/echo"), "POST"),
    method: "POST",
    body: "payload",
    wire: 2,
    tag: "Success",
    fields: { value: { method: "POST", path: "/echo", crossOrigin: false, body: "payload" } }
  },
  {
    name: "https → http downgrade",
    uses: ["Fault.redirect"],
    scenario: single(Fault.redirect(302, "/target", "insecure")),
    scheme: "https",
    tag: "RedirectBlocked",
    fields: { reason: "downgrade", location: ["http:", "/target"] }
  },
  // -- the exception ------------------------------------------------------------
  {
    name: "reset on a reused keep-alive connection (the hop after a redirect)",
    uses: ["Fault.redirect", "Fault.reset"],
    // one connection, so the hop surely reuses it: with more, undici often
    // opens a new one for a request sent right after a response ended
    scenario: () =>
      Scenario.make({
        "GET /fault": [Fault.redirect(302, "/next")],
        "GET /next": [Fault.reset(), Reply.text(200, "sent again")],
        ...targets
      }),
    connections: 1,
    wire: 2,
    tag: "ConnectionReset",
    fields: { phase: "before-response", attempts: 1 },
    onSockets: {
      tag: "Success",
      wire: 3,
      fields: { value: "sent again" },
      why: "The client sends an idempotent request once more, at once, when the transport reports that it " +
        "went out on a reused keep-alive connection that died before any response byte (decide: stale-socket; " +
        "see Resets.test.ts); the re-send starts again at the hop that failed, and the FaultServer draws the " +
        "route's next step for it. The simulated network has no connections to reuse: every attempt is on a " +
        "fresh one, so the reset reaches the client."
    }
  },
  // -- retries ------------------------------------------------------------------
  {
    name: "retries on: 503, 503, then 200",
    uses: ["Fault.status", "Reply.text"],
    scenario: steps(Fault.status(503), Fault.status(503), Reply.text(200, "third time")),
    options: retries(2),
    wire: 3,
    tag: "Success",
    fields: { value: "third time" }
  },
  {
    name: "retries on: reset, 502, then 200",
    uses: ["Fault.reset", "Fault.status", "Reply.text"],
    scenario: steps(Fault.reset(), Fault.status(502), Reply.text(200, "ok")),
    options: retries(2),
    wire: 3,
    tag: "Success",
    fields: { value: "ok" }
  },
  {
    name: "retries on: refused, 429 + Retry-After 1 s, 503: out of retries",
    uses: ["Fault.refused", "Fault.status"],
    scenario: steps(Fault.refused(), Fault.status(429, { retryAfter: 1 }), Fault.status(503)),
    options: retries(2),
    wire: 3,
    tag: "StatusError",
    fields: {
      status: 503,
      attempts: 3,
      history: [["ConnectionRefused", undefined, 20], ["StatusError", 429, 1000], ["StatusError", 503, 0]]
    }
  }
]

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
    Effect.provide(TestContext.TestContext)
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
      }).pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))
  }
})
