/**
 * What a fault's handler may do, in memory and on sockets. Each row of the
 * fault table (see `table.ts`) is written against these three small
 * interfaces; the SimulatedNetwork and the FaultServer implement them.
 *
 * @internal
 */
import type * as Duration from "@steadfast/core/line/Duration"
import type * as Effect from "@steadfast/core/line/Effect"
import type { HttpClientError, HttpClientResponse } from "@steadfast/core/line/http"
import type { Fault, Redirect, Reply } from "../../Fault.js"
import type * as NodeErrors from "../../NodeErrors.js"

/** How a simulated body is delivered. */
export type BodyPlan =
  | { readonly _tag: "Complete" }
  | { readonly _tag: "Cut"; readonly afterBytes: number; readonly cause: () => unknown }
  | { readonly _tag: "Trickle"; readonly chunkSize: number; readonly interval: Duration.Duration }

/** What one attempt in memory ends with. */
export type MemoryResult = Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

/** One attempt on the SimulatedNetwork, as a fault's handler sees it. */
export interface MemoryAttempt {
  readonly url: URL
  /** The simulated peer: a fixed address for the host, and the port. */
  readonly peer: NodeErrors.Peer
  /** Reports the simulated connection as up (the request is on the wire). */
  readonly connect: () => void
  /** Fails before the response headers with `cause` (a Node / undici error). */
  readonly fail: (cause: unknown) => MemoryResult
  /** Answers with `reply`, its body delivered as `plan` says. */
  readonly respond: (reply: Reply, plan?: BodyPlan) => MemoryResult
  /** Answers with the request as JSON (`Echo`). */
  readonly echo: (status: number) => MemoryResult
  /** What undici would put in a `SocketError` for this connection, `bytesRead` bytes in. */
  readonly socketInfo: (bytesRead: number) => NodeErrors.SocketInfo
  /** Waits `delay` on the clock, then plays `then`; fails as aborted when the client cuts it off first. */
  readonly after: (delay: Duration.Duration, then: Fault) => MemoryResult
  /** Never answers; fails as aborted when the client cuts the attempt off. */
  readonly hang: () => MemoryResult
}

/** How a connection stands after a handler: ready for the next request, or closed. */
export type Outcome = "keep" | "closed"

/** One request on an open connection of the FaultServer, as a fault's handler sees it. */
export interface WireRequest {
  /** Writes a complete response (keeps the connection unless the request asked to close). */
  readonly reply: (status: number, headers: Readonly<Record<string, string>>, body: Uint8Array) => Promise<Outcome>
  /** The request as JSON `{ method, url, headers, body }`. */
  readonly echoBody: () => Uint8Array
  /** Where a redirect points on this server. */
  readonly location: (redirect: Redirect) => string
  /** Writes the head of `reply` (its full length announced) and `afterBytes` bytes of its body. */
  readonly partial: (reply: Reply, afterBytes: number) => Promise<boolean>
  /** Writes the head of `reply` alone (its full length announced). */
  readonly head: (reply: Reply) => Promise<boolean>
  /** Writes raw bytes; false when the connection is gone. */
  readonly write: (bytes: Uint8Array | string) => Promise<boolean>
  /** Whether a response to this request has a body (not HEAD, not 204/304). */
  readonly hasBody: (status: number) => boolean
  /** Waits `ms` on the server's timer; false when the connection closed or the server stopped first. */
  readonly wait: (ms: number) => Promise<boolean>
  /** RST. */
  readonly reset: () => Outcome
  /** FIN. */
  readonly close: () => Outcome
  /** After the response: keep the connection or close it, as the request asked. */
  readonly done: () => Outcome
  /** Resolves when the client closes the connection. */
  readonly closed: () => Promise<Outcome>
  /** Plays another fault on the same request. */
  readonly play: (fault: Fault) => Promise<Outcome>
}

/** One request that the FaultServer's undici interceptor holds before it connects. */
export interface ConnectRequest {
  /** The hostname the client asked for. */
  readonly host: string
  readonly protocol: "http:" | "https:"
  /** Sends the request to the released port: a real `ECONNREFUSED`. */
  readonly refuse: () => boolean
  /** Sends the request to the TLS listener that fails for `reason`. */
  readonly tls: (reason: "self-signed" | "expired" | "hostname-mismatch" | "handshake") => boolean
  /** Makes the connect itself hang (a black hole, or a TLS peer that never answers). */
  readonly blackHole: () => boolean
  /** Connects from an address no interface holds: a real `EADDRNOTAVAIL`. */
  readonly unreachable: () => boolean
  /** Fails the request without connecting. */
  readonly failWith: (error: Error) => boolean
  /** Holds the request `ms` (the client still sees it connecting), then plays `then`. */
  readonly delay: (ms: number, then: Fault) => boolean
}
