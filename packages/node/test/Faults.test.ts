/**
 * Every fault of the testkit's vocabulary, played by the FaultServer on real
 * loopback sockets, gives its exact `_tag` through the undici transport and
 * the core client — on the direct path (`Client.Client` of
 * `NodeClient.layer`) and on the generic path (core's `Client.make` over the
 * platform `HttpClient` with the direct transport stripped off).
 *
 * it.live: real sockets and the FaultServer's real timers. Each row gets a
 * fresh pool (and server), so no request rides on a reused connection (a
 * reset there would be sent once more, see Resets.test.ts).
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, type Errors, type Timeouts } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { Fault, type Fault as FaultType, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Layer } from "effect"
import { NodeClient } from "../src/index.js"

const timeouts: Timeouts.Input = {
  connect: "250 millis",
  response: "500 millis",
  bodyIdle: "300 millis",
  deadline: "5 seconds"
}

interface Row {
  readonly name: string
  readonly fault: FaultType
  /** The expected `_tag`, or `undefined` for a success. */
  readonly tag: string | undefined
  /** When the generic path (no connect tracking) differs; `null`: direct path only. */
  readonly generic?: string | null | undefined
  /** The primary origin to call. @default "http" */
  readonly scheme?: "http" | "https"
  readonly check?: (error: Errors.HttpError) => void
}

const body64 = Reply.text(200, "x".repeat(64))

const rows: ReadonlyArray<Row> = [
  { name: "Reply 200", fault: Reply.json(200, { ok: true }), tag: undefined },
  { name: "Echo", fault: Reply.echo(), tag: undefined },
  {
    name: "status 503 + Retry-After",
    fault: Fault.status(503, { retryAfter: 1 }),
    tag: "StatusError",
    check: (e) => {
      expect(e._tag === "StatusError" && e.status).toBe(503)
      expect(e._tag === "StatusError" && e.retryAfterMs).toBe(1000)
    }
  },
  { name: "redirect 302 (followed)", fault: Fault.redirect(302, "/target"), tag: undefined },
  {
    name: "DNS failure",
    fault: Fault.dns(),
    tag: "DnsError",
    check: (e) => expect(e._tag === "DnsError" && e.temporary).toBe(false)
  },
  {
    name: "DNS failure, temporary",
    fault: Fault.dns({ temporary: true }),
    tag: "DnsError",
    check: (e) => expect(e._tag === "DnsError" && e.temporary).toBe(true)
  },
  { name: "refused", fault: Fault.refused(), tag: "ConnectionRefused" },
  { name: "unreachable", fault: Fault.unreachable(), tag: "NetworkUnreachable" },
  ...(["self-signed", "expired", "hostname-mismatch", "handshake"] as const).map((reason): Row => ({
    name: `TLS ${reason}`,
    fault: Fault.tls(reason),
    tag: "TlsError",
    check: (e) => expect(e._tag === "TlsError" && e.reason).toBe(reason)
  })),
  {
    name: "reset before the response",
    fault: Fault.reset(),
    tag: "ConnectionReset",
    check: (e) => expect(e._tag === "ConnectionReset" && e.phase).toBe("before-response")
  },
  {
    name: "close before the response",
    fault: Fault.close(),
    tag: "ConnectionReset",
    check: (e) => expect(e._tag === "ConnectionReset" && e.phase).toBe("before-response")
  },
  {
    name: "reset mid-body",
    fault: Fault.resetMidBody(10),
    tag: "ConnectionReset",
    check: (e) => expect(e._tag === "ConnectionReset" && e.phase).toBe("during-body")
  },
  {
    name: "truncated body",
    fault: Fault.truncate(10),
    tag: "ConnectionReset",
    check: (e) => expect(e._tag === "ConnectionReset" && e.phase).toBe("during-body")
  },
  { name: "connect latency under the timeout", fault: Fault.connectLatency("50 millis"), tag: undefined },
  {
    name: "connect latency over the timeout",
    fault: Fault.connectLatency("2 seconds"),
    tag: "ConnectTimeout",
    // the interceptor holds the request before undici's connector: without
    // connect tracking only the response timeout can see it
    generic: "ResponseTimeout"
  },
  // https: a listener that never answers the ClientHello. On the generic path
  // only undici's connector backstop could call it a connect timeout, and its
  // timers tick every ~500 ms (lib/util/timers.js, setFastTimeout): the
  // response timeout comes first (the backstop is tested in Timeouts.test.ts)
  {
    name: "connect hang (TLS handshake)",
    fault: Fault.connectHang(),
    tag: "ConnectTimeout",
    generic: "ResponseTimeout",
    scheme: "https"
  },
  // plain http: the FaultServer's black hole (SYNs dropped), which starts on
  // first use and may hold the request meanwhile: direct path only
  { name: "connect hang (TCP)", fault: Fault.connectHang(), tag: "ConnectTimeout", generic: null },
  { name: "response latency under the timeout", fault: Fault.latency("50 millis"), tag: undefined },
  { name: "response latency over the timeout", fault: Fault.latency("2 seconds"), tag: "ResponseTimeout" },
  { name: "no response", fault: Fault.hang(), tag: "ResponseTimeout" },
  {
    name: "trickle under the idle timeout",
    fault: Fault.trickle({ chunkSize: 16, interval: "20 millis" }, body64),
    tag: undefined
  },
  {
    name: "trickle over the idle timeout",
    fault: Fault.trickle({ chunkSize: 16, interval: "2 seconds" }, body64),
    tag: "BodyTimeout"
  },
  {
    name: "malformed response",
    fault: Fault.malformed(),
    tag: "TransportError",
    check: (e) => expect(e._tag === "TransportError" && e.reason).toBe("malformed-response")
  }
]

const scenario = (fault: FaultType) =>
  Scenario.make({
    "GET /fault": Scenario.sequence([fault], { after: "fail" }),
    "GET /target": Scenario.sequence([Reply.text(200, "target")], { after: "repeat-last" })
  })

type Path = "direct" | "generic"

const clientFor = (path: Path, server: FaultServer.Service) =>
  Effect.gen(function*() {
    const options: NodeClient.Options = {
      proxy: { url: "none" },
      retry: { retries: 0 },
      timeouts,
      tls: { ca: server.ca },
      pool: { interceptors: [server.interceptor] }
    }
    const context = yield* Layer.build(NodeClient.layer(options))
    if (path === "direct") return yield* Effect.provide(Client.Client, context)
    const platform = yield* Effect.provide(HttpClient.HttpClient, context)
    // mapRequest builds a new client: the direct transport is not carried over
    const generic = HttpClient.mapRequest(platform, (request) => request)
    return yield* Client.make({ retry: { retries: 0 }, timeouts }).pipe(
      Effect.provideService(HttpClient.HttpClient, generic)
    )
  })

describe("the fault vocabulary through the undici transport", () => {
  for (const path of ["direct", "generic"] as const) {
    describe(`${path} path`, () => {
      for (const row of rows) {
        if (path === "generic" && row.generic === null) continue
        const expected = path === "generic" && row.generic !== undefined ? row.generic : row.tag
        // it.live: real loopback sockets and the server's real timers
        it.scopedLive(`${row.name}: ${expected ?? "success"}`, () =>
          Effect.gen(function*() {
            const server = yield* FaultServer.make(scenario(row.fault))
            const client = yield* clientFor(path, server)
            const result = yield* Effect.either(
              client.text(HttpClientRequest.get(`${server.urls[row.scheme ?? "http"]}/fault`))
            )
            if (expected === undefined) {
              expect(Either.isRight(result), Either.isLeft(result) ? result.left.message : "").toBe(true)
            } else {
              expect(Either.isLeft(result) && result.left._tag).toBe(expected)
              if (Either.isLeft(result) && expected === row.tag) row.check?.(result.left)
              if (Either.isLeft(result)) expect(result.left.attempts).toBe(1)
            }
            expect(yield* server.exhausted).toEqual([])
          }))
      }
    })
  }
})
