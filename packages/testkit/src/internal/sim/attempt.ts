/**
 * One attempt on the simulated network: its record, its abort signal and
 * the helpers that settle it.
 *
 * @internal
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Transport } from "@steadfast/core"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as net from "node:net"
import type { Fault } from "../../Fault.js"
import type * as NodeErrors from "../../NodeErrors.js"
import type { AttemptRecord, Outcome, Phase } from "../../SimulatedNetwork.js"

/** The mutable record behind an `AttemptRecord` snapshot. */
export class Entry {
  endedAt: number | undefined = undefined
  outcome: Outcome = pending
  constructor(
    readonly seq: number,
    readonly at: number,
    readonly method: string,
    readonly url: string,
    readonly headers: Readonly<Record<string, string>>,
    readonly route: string,
    readonly step: number,
    readonly fault: Fault["_tag"]
  ) {}
  snapshot(): AttemptRecord {
    return {
      seq: this.seq,
      at: this.at,
      endedAt: this.endedAt,
      method: this.method,
      url: this.url,
      headers: this.headers,
      route: this.route,
      step: this.step,
      fault: this.fault,
      outcome: this.outcome
    }
  }
}

const pending: Outcome = { _tag: "Pending" }

/** The `code` a record shows for a cause: its `code`, else its `name`. */
export const codeOf = (cause: unknown): string => {
  if (cause !== null && typeof cause === "object") {
    const code = (cause as { code?: unknown }).code
    if (typeof code === "string") return code
    const name = (cause as { name?: unknown }).name
    if (typeof name === "string") return name
  }
  return "unknown"
}

/** A fixed address in 198.18.0.0/15 for a host name (FNV-1a of the name); IP literals as they are. */
export const addressOf = (hostname: string): string => {
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname
  if (net.isIP(bare) !== 0) return bare
  let h = 0x811c9dc5
  for (let i = 0; i < bare.length; i++) {
    h ^= bare.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return `198.${18 + (h & 1)}.${(h >>> 8) & 0xff}.${1 + ((h >>> 16) % 254)}`
}

const ABORTED = Symbol("aborted")

/** Resumes when `signal` aborts; interruption removes the listener. */
export const onAbort = (signal: AbortSignal): Effect.Effect<typeof ABORTED> =>
  Effect.async<typeof ABORTED>((resume) => {
    if (signal.aborted) {
      resume(Effect.succeed(ABORTED))
      return
    }
    const listener = () => resume(Effect.succeed(ABORTED))
    signal.addEventListener("abort", listener, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", listener))
  })

/** The state of one attempt. */
export class AttemptContext {
  private isConnected = false
  private cachedAddress: string | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly url: URL,
    readonly attempt: Transport.Attempt,
    readonly entry: Entry,
    readonly clock: Clock.Clock
  ) {}

  /** The simulated address of the url's host. */
  get address(): string {
    return this.cachedAddress ??= addressOf(this.url.hostname)
  }

  get port(): number {
    return this.url.port === "" ? (this.url.protocol === "https:" ? 443 : 80) : Number(this.url.port)
  }

  get signal(): AbortSignal {
    return this.attempt.signal
  }

  get peer(): NodeErrors.Peer {
    return { address: this.address, port: this.port }
  }

  /** Reports the simulated connection as up and the request as written (once): a fresh connection each time. */
  connect(): void {
    if (!this.isConnected) {
      this.isConnected = true
      this.attempt.connected(false)
      this.attempt.written()
    }
  }

  get phase(): Phase {
    return this.isConnected ? "response" : "connect"
  }

  settle(outcome: Outcome): void {
    this.entry.outcome = outcome
    this.entry.endedAt = this.clock.unsafeCurrentTimeMillis()
  }

  /** What undici would put in a SocketError's `socket` for this connection. */
  socketInfo(bytesRead: number): NodeErrors.SocketInfo {
    let written = this.request.method.length + this.url.pathname.length + this.url.search.length + 13
    for (const name in this.request.headers) {
      written += name.length + (this.request.headers[name]?.length ?? 0) + 4
    }
    return {
      localAddress: net.isIPv6(this.address) ? "fd00::2" : "10.0.0.2",
      localPort: 40000 + (this.entry.seq % 20000),
      remoteAddress: this.address,
      remotePort: this.port,
      remoteFamily: net.isIPv6(this.address) ? "IPv6" : "IPv4",
      timeout: undefined,
      bytesWritten: written,
      bytesRead
    }
  }

  /** Fails before the response headers with a socket error. */
  fail(cause: unknown): Effect.Effect<never, HttpClientError.RequestError> {
    this.settle({ _tag: "Failed", code: codeOf(cause), phase: this.phase })
    return Effect.fail(new HttpClientError.RequestError({ request: this.request, reason: "Transport", cause }))
  }

  /**
   * The reason tag of an abort: the steadfast client's (`"ResponseTimeout"`…),
   * `"Aborted"` for a signal aborted by someone else, `"Interrupted"` when
   * the fiber was interrupted with the signal untouched.
   */
  abortReason(): string {
    return Transport.abortReasonTag(this.signal) ?? (this.signal.aborted ? "Aborted" : "Interrupted")
  }

  /** Fails before the response headers because the signal aborted. */
  aborted(): Effect.Effect<never, HttpClientError.RequestError> {
    this.settle({ _tag: "Aborted", reason: this.abortReason(), phase: this.phase })
    return Effect.fail(
      new HttpClientError.RequestError({ request: this.request, reason: "Transport", cause: this.signal.reason })
    )
  }

  /** Records an interruption (when nothing else settled the attempt). */
  interrupted(phase: Phase): Effect.Effect<void> {
    return Effect.sync(() => {
      const tag = this.entry.outcome._tag
      if (tag === "Pending" || (phase === "body" && tag === "Response")) {
        this.settle({ _tag: "Aborted", reason: this.abortReason(), phase })
      }
    })
  }

  /** Waits `duration` (on the Clock) unless the signal aborts first; `true` when it aborted. */
  sleep(duration: Duration.Duration): Effect.Effect<boolean> {
    if (this.signal.aborted) return Effect.succeed(true)
    if (Duration.isZero(duration)) return Effect.succeed(false)
    return Effect.map(Effect.raceFirst(Effect.sleep(duration), onAbort(this.signal)), (r) => r === ABORTED)
  }

  /** Never completes unless the signal aborts (then fails as aborted) or the fiber is interrupted. */
  hang(): Effect.Effect<never, HttpClientError.RequestError> {
    return Effect.flatMap(onAbort(this.signal), () => this.aborted())
  }

  /** Builds the platform response error for a body failure. */
  bodyError(
    response: HttpClientResponse.HttpClientResponse,
    cause: unknown
  ): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response, reason: "Decode", cause })
  }
}
