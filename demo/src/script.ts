/**
 * What the tour's fault server is told to do: the faults of each section
 * and the scenario that plays them.
 */
import { Fault, type Fault as FaultType, Reply, Scenario } from "@steadfast/testkit"
import { routes as policyRoutes } from "./sections/policies.js"
import { routes as rateLimitRoutes } from "./sections/rateLimits.js"
export interface Case {
  readonly slug: string
  readonly label: string
  readonly fault: FaultType
  readonly expected: string
  readonly detail: string
}

/**
 * Section 1: every fault that is not about time (section 3 has those), on
 * `GET /faults/<slug>`, with the tag and detail the client should report.
 * In this order the resets go out on fresh connections (nothing before
 * them leaves one open to the primary origin), so the transport has no
 * stale connection to send them again from; if it did, `repeat-last`
 * would play the same fault again.
 */
export const cases: ReadonlyArray<Case> = ([
  // [slug, what the server does, the fault, the tag expected, its detail]
  ["dns", "DNS: no such name", Fault.dns(), "DnsError", "permanent"],
  ["dns-again", "DNS: no answer", Fault.dns({ temporary: true }), "DnsError", "temporary"],
  ["refused", "nothing listening", Fault.refused(), "ConnectionRefused", ""],
  ["unreachable", "no route to host", Fault.unreachable(), "NetworkUnreachable", ""],
  ["self-signed", "TLS: self-signed", Fault.tls("self-signed"), "TlsError", "self-signed"],
  ["expired", "TLS: expired", Fault.tls("expired"), "TlsError", "expired"],
  ["wrong-host", "TLS: wrong host", Fault.tls("hostname-mismatch"), "TlsError", "hostname-mismatch"],
  ["no-cipher", "TLS: no cipher", Fault.tls("handshake"), "TlsError", "handshake"],
  ["reset", "RST before response", Fault.reset(), "ConnectionReset", "before-response"],
  ["close", "FIN before response", Fault.close(), "ConnectionReset", "before-response"],
  ["reset-body", "RST mid-body", Fault.resetMidBody(100), "ConnectionReset", "during-body"],
  ["truncated", "body cut short", Fault.truncate(100), "ConnectionReset", "during-body"],
  ["not-http", "not HTTP at all", Fault.malformed(), "TransportError", "malformed-response"],
  ["503", "status 503", Fault.status(503), "StatusError", "503"],
  ["loop", "redirect loop", Fault.redirect(302, "/faults/loop-back"), "TooManyRedirects", "loop"]
] as const).map(([slug, label, fault, expected, detail]) => ({ slug, label, fault, expected, detail }))

/** The row whose full message section 1 shows. */
export const exampleSlug = "self-signed"

/** Section 3: one limit each, different, so that which one fired is plain. */
export const limits = { connect: 200, response: 400, bodyIdle: 300 } as const

export interface TimeoutCase {
  readonly slug: string
  readonly label: string
  readonly fault: FaultType
  readonly expected: string
  readonly limitMs: number
}

export const timeoutCases: ReadonlyArray<TimeoutCase> = [
  {
    slug: "connect",
    label: `connect ${limits.connect} ms: TLS never ends`,
    fault: Fault.connectHang(),
    expected: "ConnectTimeout",
    limitMs: limits.connect
  },
  {
    slug: "response",
    label: `response ${limits.response} ms: no answer`,
    fault: Fault.hang(),
    expected: "ResponseTimeout",
    limitMs: limits.response
  },
  {
    slug: "body",
    label: `body idle ${limits.bodyIdle} ms: 1 byte/s`,
    fault: Fault.trickle({ chunkSize: 1, interval: "1 second" }),
    expected: "BodyTimeout",
    limitMs: limits.bodyIdle
  }
]

/** How section 2's server answers `GET /flaky`, step by step (what the timeline prints). */
export const flakySteps: ReadonlyArray<readonly [string, FaultType]> = [
  ["reset before the response", Fault.reset()],
  ["503, Retry-After: 1", Fault.status(503, { retryAfter: 1 })],
  ["200 {\"ok\":true}", Reply.json(200, { ok: true })]
]

export const repeat = (fault: FaultType) => Scenario.sequence([fault], { after: "repeat-last" })
/** Scripts that must be used exactly as the tour says: a request more is a 500 and an `exhausted` record. */
export const exactly = (...steps: ReadonlyArray<FaultType>) => Scenario.sequence(steps, { after: "fail" })

export const items = Reply.json(200, [1, 2, 3])

/**
 * The fault server's scenario for one run of the tour. Several routes are
 * scripted to be used exactly once (`after: "fail"`): run the tour once per
 * server.
 */
export const scenario: Scenario.Scenario = Scenario.make({
  ...Object.fromEntries(cases.map((c) => [`GET /faults/${c.slug}`, repeat(c.fault)])),
  "GET /faults/loop-back": repeat(Fault.redirect(302, "/faults/loop")),
  ...Object.fromEntries(timeoutCases.map((c) => [`GET /timeouts/${c.slug}`, repeat(c.fault)])),
  "GET /flaky": exactly(...flakySteps.map(([, fault]) => fault)),
  "GET /dead": repeat(Fault.reset()),
  "POST /orders": exactly(Fault.reset(), Fault.reset(), Reply.json(201, { id: 42 })),
  "GET /login": repeat(Fault.redirect(302, "/whoami", "secondary")),
  "GET /downgrade": repeat(Fault.redirect(302, "/items", "insecure")),
  "GET /slow": repeat(Fault.latency("100 millis", items)),
  "GET /items": repeat(items),
  "GET /stale": exactly(Fault.close(), Reply.text(200, "fresh")),
  ...rateLimitRoutes,
  ...policyRoutes
})
