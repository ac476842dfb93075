/**
 * The fault table: one row per fault of the vocabulary, shared by the
 * SimulatedNetwork (in memory) and the FaultServer (on sockets). Adding a
 * fault is adding its type to `Fault.ts`, its constructor, and a row here.
 *
 * A row says at which level a real server plays the fault (`"connection"`:
 * before a connection exists, realised on sockets by the FaultServer's undici
 * interceptor; `"wire"`: on an open connection), what the attempt gets in
 * memory, and what happens on sockets.
 *
 * @internal
 */
import type { Fault } from "../../Fault.js"
import * as connection from "./connection.js"
import type { ConnectRequest, MemoryAttempt, MemoryResult, Outcome, WireRequest } from "./player.js"
import * as replies from "./replies.js"
import * as wire from "./wire.js"

/** One fault's handlers. */
export interface Row<F extends Fault> {
  readonly level: "connection" | "wire"
  /** Whether playing it in memory may suspend (sleep, hang, read a streamed body). */
  readonly suspends?: boolean
  readonly memory: (attempt: MemoryAttempt, fault: F) => MemoryResult
  /** On an open connection (wire-level faults). */
  readonly wire?: (request: WireRequest, fault: F) => Promise<Outcome>
  /** Before connecting, in the interceptor (connection-level faults). */
  readonly connect?: (request: ConnectRequest, fault: F) => boolean
}

type Table = { readonly [K in Fault["_tag"]]: Row<Extract<Fault, { readonly _tag: K }>> }

export const table: Table = {
  Reply: replies.reply,
  Echo: replies.echo,
  Redirect: replies.redirect,
  DnsFailure: connection.dns,
  Refused: connection.refused,
  Unreachable: connection.unreachable,
  TlsFailure: connection.tls,
  ConnectLatency: connection.connectLatency,
  ConnectHang: connection.connectHang,
  ResetBeforeResponse: wire.reset,
  CloseBeforeResponse: wire.close,
  ResetMidBody: wire.resetMidBody,
  Truncated: wire.truncate,
  ResponseLatency: wire.latency,
  NoResponse: wire.hang,
  Trickle: wire.trickle,
  Malformed: wire.malformed
}

/** The row of a fault. */
export const rowOf = (fault: Fault): Row<Fault> => table[fault._tag] as Row<Fault>

/** Whether a value is a fault of the vocabulary. */
export const isFault = (u: unknown): u is Fault =>
  u !== null && typeof u === "object" && Object.hasOwn(table, (u as { _tag?: unknown })._tag as string)
