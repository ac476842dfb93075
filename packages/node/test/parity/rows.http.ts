// Parity rows: redirects, the one explicit exception, and retries.
import { Fault, Reply, Scenario } from "@steadfast/testkit"
import { noRetries, retries, type Row, secrets, single, steps, targets } from "./row.js"

export const httpRows: ReadonlyArray<Row> = [
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
