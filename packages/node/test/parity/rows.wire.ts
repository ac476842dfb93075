// Parity rows: replies, statuses, and faults on and before the connection.
import { Fault, Reply } from "@steadfast/testkit"
import { binary, type Row, single, text64 } from "./row.js"

export const wireRows: ReadonlyArray<Row> = [
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
  }
]
