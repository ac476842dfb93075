/**
 * One attempt on the simulated network: its abort signal, its phase and the
 * helpers that settle it (its record is an `Entry`, see entry.ts).
 *
 * @internal
 */
import type { Transport } from "@steadfast/core"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import { type HttpBody, type HttpClientRequest, type HttpClientResponse } from "@steadfast/core/line/http"
import { type RequestError, requestError, type ResponseError, responseError } from "@steadfast/core/line/platformError"
import * as Stream from "@steadfast/core/line/Stream"
import { currentTimeMillis } from "@steadfast/core/line/unsafe"
import type * as Clock from "effect/Clock"
import * as net from "node:net"
import type { Fault, Reply } from "../../Fault.js"
import type * as NodeErrors from "../../NodeErrors.js"
import type { Outcome, Phase } from "../../SimulatedNetwork.js"
import type { BodyPlan, MemoryAttempt, MemoryResult } from "../faults/player.js"
import { rowOf } from "../faults/table.js"
import { withoutStack } from "../stackless.js"
import type { Entry } from "./entry.js"
import { SimResponse } from "./response.js"

const noop = () => {}

/**
 * Core's key for a clock's timer (`Symbol.for`, so the testkit needs no
 * import from core's internals): `clock[TimerSymbol](ms, wake)` calls `wake`
 * once the clock reaches now + `ms` and returns a cancel function. The Effect
 * 3 line's virtual clock offers it.
 */
const TimerSymbol = Symbol.for("@steadfast/core/Clock/timer")

type Timer = (ms: number, wake: () => void) => () => void

/** The brand core puts on the reason of an attempt it cut off (see `Transport.abortReason`). */
const AbortBrand = Symbol.for("@steadfast/core/Transport/AttemptAborted")

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

/** `reply`'s headers with a `content-length`, as a real server sends them; computed once per reply. */
const headersWithLength = (reply: Reply): Readonly<Record<string, string>> => {
  let headers = withLength.get(reply)
  if (headers === undefined) {
    headers = "content-length" in reply.headers || "transfer-encoding" in reply.headers
      ? reply.headers
      : { ...reply.headers, "content-length": String(reply.body.length) }
    withLength.set(reply, headers)
  }
  return headers
}
const withLength = new WeakMap<Reply, Readonly<Record<string, string>>>()

const complete: BodyPlan = { _tag: "Complete" }
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The request body as text, for `Echo`. */
const bodyText = (body: HttpBody.HttpBody): Effect.Effect<string> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return Effect.succeed(
        typeof body.body === "string"
          ? body.body
          : body.body instanceof Uint8Array
          ? decoder.decode(body.body)
          : String(body.body)
      )
    case "FormData":
      return Effect.promise(() => new Response(body.formData).text())
    case "Stream":
      return Effect.suspend(() => {
        // a decoder per body: a character may span two chunks
        const text = new TextDecoder()
        const parts: Array<string> = []
        return Stream.runForEach(
          body.stream,
          (chunk) => Effect.sync(() => parts.push(text.decode(chunk, { stream: true })))
        )
          .pipe(Effect.map(() => parts.join("") + text.decode()), Effect.orDie)
      })
  }
}

/** The state of one attempt. */
export class AttemptContext implements MemoryAttempt {
  private isConnected = false
  private cachedAddress: string | undefined
  /** The abort reason, once the attempt was cut off (and we listened). */
  private reason: Error | undefined
  private listening = false
  /** What to do when the attempt is cut off: one waiter at a time. */
  private waiter: (() => void) | undefined

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

  get peer(): NodeErrors.Peer {
    return { address: this.address, port: this.port }
  }

  /** Whether the client cut the attempt off. */
  get isAborted(): boolean {
    return this.attempt.aborted
  }

  private listen(): void {
    if (this.listening) return
    this.listening = true
    this.attempt.onAbort((reason) => {
      this.reason = reason
      const waiter = this.waiter
      this.waiter = undefined
      waiter?.()
    })
  }

  /** Calls `f` once when the attempt is cut off (at once if it was); returns a canceller. */
  whenAborted(f: () => void): () => void {
    if (this.attempt.aborted) {
      this.listen()
      f()
      return noop
    }
    this.waiter = f
    this.listen()
    return () => {
      if (this.waiter === f) this.waiter = undefined
    }
  }

  /** The error the client aborted the attempt with. */
  get abortError(): unknown {
    this.listen()
    return this.reason
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
    this.entry.endedAt = currentTimeMillis(this.clock)
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
  fail(cause: unknown): Effect.Effect<never, RequestError> {
    this.settle({ _tag: "Failed", code: codeOf(cause), phase: this.phase })
    return Effect.fail(
      withoutStack(() => requestError({ request: this.request, reason: "Transport", cause }))
    )
  }

  /**
   * The reason tag of an abort: the steadfast client's (`"ResponseTimeout"`…),
   * `"Aborted"` for a signal aborted by someone else, `"Interrupted"` when
   * the fiber was interrupted with the attempt not cut off.
   */
  abortReason(): string {
    if (!this.attempt.aborted) return "Interrupted"
    const reason = this.abortError as { readonly tag?: unknown; readonly [AbortBrand]?: unknown } | undefined
    return reason?.[AbortBrand] === true && typeof reason.tag === "string" ? reason.tag : "Aborted"
  }

  /** Fails before the response headers because the attempt was cut off. */
  aborted(): Effect.Effect<never, RequestError> {
    this.settle({ _tag: "Aborted", reason: this.abortReason(), phase: this.phase })
    return Effect.fail(
      withoutStack(() => requestError({ request: this.request, reason: "Transport", cause: this.abortError }))
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

  /**
   * Waits `duration` on the clock unless the attempt is cut off first;
   * `true` when it was. On a clock with a timer (the Effect 3 line's virtual
   * clock) this is one callback, not a race of two fibers.
   */
  sleep(duration: Duration.Duration): Effect.Effect<boolean> {
    if (this.attempt.aborted) return Effect.succeed(true)
    const ms = Duration.toMillis(duration)
    if (!(ms > 0)) return Effect.succeed(false)
    const clock = this.clock
    const timer = (clock as { readonly [TimerSymbol]?: Timer })[TimerSymbol]
    if (timer === undefined) {
      return Effect.raceFirst(Effect.as(clock.sleep(duration), false), Effect.as(this.abortSignal(), true))
    }
    return Effect.async<boolean>((resume) => {
      const cancelTimer = timer.call(clock, ms, () => {
        cancelAbort()
        resume(Effect.succeed(false))
      })
      const cancelAbort = this.whenAborted(() => {
        cancelTimer()
        resume(Effect.succeed(true))
      })
      return Effect.sync(() => {
        cancelAbort()
        cancelTimer()
      })
    })
  }

  /** Completes when the attempt is cut off. */
  private abortSignal(): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const cancel = this.whenAborted(() => resume(Effect.void))
      return Effect.sync(cancel)
    })
  }

  /** Never completes unless the attempt is cut off (then fails as aborted) or the fiber is interrupted. */
  hang(): Effect.Effect<never, RequestError> {
    return Effect.async<never, RequestError>((resume) => {
      const cancel = this.whenAborted(() => resume(this.aborted()))
      return Effect.sync(cancel)
    })
  }

  respond(reply: Reply, plan: BodyPlan = complete): MemoryResult {
    this.connect()
    this.settle({ _tag: "Response", status: reply.status })
    return Effect.succeed(new SimResponse(this, reply.status, headersWithLength(reply), reply.body, plan))
  }

  echo(status: number): MemoryResult {
    this.connect()
    const request = this.request
    return Effect.flatMap(bodyText(request.body), (body) =>
      this.respond({
        _tag: "Reply",
        status,
        headers: { "content-type": "application/json" },
        body: encoder.encode(
          JSON.stringify({ method: request.method, url: this.url.href, headers: { ...request.headers }, body })
        )
      }))
  }

  after(delay: Duration.Duration, then: Fault): MemoryResult {
    return Effect.flatMap(
      this.sleep(delay),
      (aborted) => aborted ? this.aborted() : withoutStack(() => rowOf(then).memory(this, then))
    )
  }

  /** Builds the platform response error for a body failure. */
  bodyError(
    response: HttpClientResponse.HttpClientResponse,
    cause: unknown
  ): ResponseError {
    return withoutStack(() => responseError({ request: this.request, response, reason: "Decode", cause }))
  }
}
