/**
 * One request (`Call`) and one attempt of it (`AttemptState`): the phase
 * timers, the abort, and the facts the attempt ends with.
 *
 * A `Call` holds what stays the same across attempts, the append-only
 * history and the attempt in flight. An `AttemptState` is what the transport
 * sees (`Transport.Attempt`): it reports phases and facts into it, and is
 * cut off through it. It is also the attempt's single entry in the client's
 * deadline scheduler: its key is the due time of the current phase's limit
 * (pool, connect, response, body idle) or of the deadline, whichever is
 * first. Nothing here forks a fiber or allocates per phase.
 *
 * @internal
 */
import type { HttpClientRequest } from "#line/http"
import { currentTimeMillis } from "#line/unsafe"
import type * as Tracer from "effect/Tracer"
import type * as Errors from "../Errors.js"
import * as Redirects from "../Redirects.js"
import { type Facts, type Phase, phases, type PoolState, type ProxyRoute } from "../Transport.js"
import type * as Transport from "../Transport.js"
import type * as Decide from "./decide.js"
import { hedgedAttempts } from "./hedge.js"
import type { Compiled, GateRequest } from "./policy.js"
import { redactUrl } from "./redact.js"
import type { Timed } from "./scheduler.js"
import type { CallSpan, Sending } from "./trace.js"
import { abortReason, type AttemptAborted } from "./transport.js"

const QUEUED = 0
const CONNECTING = 1
const CONNECTED = 2
const WRITTEN = 3
const HEADERS = 4
const BODY = 5

/** Where in a redirect chain an attempt is. @internal */
export interface Hop {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly url: URL
  /** Redirects followed before this hop. */
  readonly followed: number
  readonly visited: ReadonlyArray<string> | undefined
}

/** One request, across its attempts. @internal */
export class Call implements Decide.Request, GateRequest {
  readonly startedAt: number
  readonly deadlineAt: number
  /** Attempts started so far. */
  attempts = 0
  /** The attempt in flight (or the last one). */
  current: AttemptState | undefined = undefined
  /** One record per ended attempt, with the decision taken after it; allocated on the first failure. */
  history: Array<Errors.AttemptRecord> | undefined = undefined
  /** The retry schedule's state, after its first step. */
  scheduleState: unknown = undefined
  scheduleStepped = false
  /** The error of the last failed attempt (for the `beforeAttempt` hook). */
  lastError: Errors.HttpError | undefined = undefined
  /** The request the attempt in flight sent, when a `beforeAttempt` hook changed it. */
  sentRequest: HttpClientRequest.HttpClientRequest | undefined = undefined
  /** A proxy fallback was decided: later attempts go direct. */
  bypassProxy = false
  /** The call span, when spans are on and the tracer is enabled. */
  span: Tracer.Span | undefined = undefined
  /** The tracer that makes the span of each send (spans on), or `undefined`. */
  tracer: Tracer.Tracer | undefined = undefined
  /** The span each send hangs under (the call span, or the caller's when spans are off). */
  parentSpan: Tracer.AnySpan | undefined = undefined
  /** Sends carry trace context headers (to the origins the policy allows). */
  propagate = false
  /** Requests put on the wire so far (attempts and redirect hops). */
  sends = 0
  /** The send in flight, or the last one. */
  sending: Sending | undefined = undefined
  /** The call span opened in place, until it ends (`trace.open`). */
  callSpan: CallSpan | undefined = undefined
  /** The timer of the retry wait in progress on the live clock (`retryWait.ts`), cleared if the call ends first. */
  waitTimer: ReturnType<typeof setTimeout> | undefined = undefined
  /** Where `Client.withHistory` collects, when it wraps this request. */
  collector: Array<Errors.AttemptRecord> | undefined = undefined
  private info: Errors.RequestInfo | undefined = undefined
  private origin_: string | undefined = undefined

  constructor(
    readonly cfg: Compiled,
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly url: URL
  ) {
    this.startedAt = currentTimeMillis(cfg.clock)
    this.deadlineAt = this.startedAt + cfg.deadlineMs
  }

  now(): number {
    return currentTimeMillis(this.cfg.clock)
  }

  get method(): string {
    return this.request.method
  }

  /** The url's origin, read once (the getter builds a new string each time). */
  get origin(): string {
    return this.origin_ ??= this.url.origin
  }

  get requestInfo(): Errors.RequestInfo {
    return this.info ??= { method: this.request.method, url: redactUrl(this.url) }
  }

  /** It may be sent twice after it may have reached the server (read by `decide` only after a failure). */
  get safe(): boolean {
    const retry = this.cfg.retry
    return retry.retryNonIdempotent || retry.idempotentMethods.has(this.request.method.toUpperCase()) ||
      this.request.headers["idempotency-key"] !== undefined
  }

  get replayable(): boolean {
    return Redirects.isReplayable(this.request.body)
  }

  /** Starts the next attempt. */
  begin(): AttemptState {
    const attempt = new AttemptState(this, ++this.attempts)
    this.current = attempt
    return attempt
  }

  /** Appends the record of `attempt`, which ended with `tag` and led to `decision`. */
  record(
    attempt: AttemptState,
    tag: string,
    status: number | undefined,
    decision: Errors.AttemptRecord["decision"],
    reason: string | undefined,
    delayMs: number,
    now: number
  ): void {
    const entry: {
      -readonly [K in keyof Errors.AttemptRecord]: Errors.AttemptRecord[K]
    } = { attempt: attempt.n, tag, delayMs, elapsedMs: now - this.startedAt, phase: attempt.phaseName }
    if (status !== undefined) entry.status = status
    if (attempt.reusedSocket) entry.reusedSocket = true
    if (hedgedAttempts.has(attempt)) entry.hedged = true
    if (decision !== undefined) entry.decision = decision
    if (reason !== undefined) entry.reason = reason
    ;(this.history ??= []).push(entry)
  }
}

/**
 * One attempt: what the transport reports into, what the scheduler times.
 * Its `AbortController` is created only when someone asks for `signal`
 * (creating one costs about a microsecond and an EventTarget); transports
 * that take `onAbort` never pay for it.
 *
 * @internal
 */
export class AttemptState implements Transport.Attempt, Timed {
  heapIndex = -1
  dueAt = Infinity
  phase = CONNECTING
  /** When the running phase limit started. */
  private timerAt = 0
  lastActivity = 0
  /** The response (`execute`) outlives the request effect: keep the timers until the body is read. */
  keepAlive = false
  deadlineFired = false
  reusedSocket = false
  bytesRead = 0
  /** The response status, once the headers arrived. */
  status: number | undefined = undefined
  written_: number | undefined = undefined
  route: ProxyRoute | undefined = undefined
  poolState: PoolState | undefined = undefined
  /** The server said it did not process the request (HTTP/2 REFUSED_STREAM). */
  refused = false
  /** `"METHOD href"` of each hop of this attempt, for redirect loops. */
  visited: Array<string> | undefined = undefined
  /** The hop in flight: a re-send starts again from it (a retry from the first). */
  hop: Hop | undefined = undefined
  /** Why the attempt was cut off; the `AttemptAborted` itself is built only when someone will see it. */
  reasonTag: string | undefined = undefined
  private abortError: AttemptAborted | undefined = undefined
  private controller: AbortController | undefined = undefined
  private listener: ((reason: Error) => void) | undefined = undefined

  /** The call aborts its attempt in flight when it is interrupted (`finish` in call.ts, `ResilientResponse`). */
  get abortsOnInterrupt(): boolean {
    return true
  }

  constructor(readonly call: Call, readonly n: number) {
    this.start()
  }

  /** (Re)starts the phases: at the first hop, and at each redirect hop. */
  start(): void {
    this.bytesRead = 0
    this.status = undefined
    this.reusedSocket = false
    this.written_ = undefined
    this.refused = false
    this.enter(this.call.cfg.transport.tracksConnect ? CONNECTING : WRITTEN, this.call.now())
  }

  get phaseName(): Phase {
    return phases[this.phase > BODY ? BODY : this.phase]!
  }

  // --- Transport.Attempt ----------------------------------------------------

  get connectTimeoutMs(): number {
    return this.call.cfg.connectMs
  }

  get bypassProxy(): boolean {
    return this.call.bypassProxy
  }

  get sensitiveHeaders(): ReadonlySet<string> {
    return this.call.cfg.redirects.sensitiveHeaders
  }

  get decompress(): boolean {
    return this.call.cfg.decompress
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.reasonTag !== undefined) this.controller.abort(this.reason)
    }
    return this.controller.signal
  }

  get aborted(): boolean {
    return this.reasonTag !== undefined
  }

  onAbort(listener: ((reason: Error) => void) | undefined): void {
    if (listener === undefined) {
      this.listener = undefined
      return
    }
    const reason = this.reason
    if (reason !== undefined) listener(reason)
    else this.listener = listener
  }

  queued(): void {
    if (this.phase <= CONNECTING) this.report(QUEUED)
  }

  connecting(): void {
    this.report(CONNECTING)
  }

  connected(reusedSocket: boolean): void {
    if (this.report(CONNECTED)) this.reusedSocket = reusedSocket
  }

  written(): void {
    this.report(WRITTEN)
  }

  bytesWritten(bytes: number): void {
    this.written_ = bytes
  }

  proxy(route: ProxyRoute): void {
    this.route = route
  }

  pool(state: PoolState): void {
    this.poolState = state
  }

  unprocessed(): void {
    this.refused = true
  }

  // --- reported by the client -------------------------------------------------

  /** The response headers arrived. */
  headers(status: number): void {
    this.status = status
    this.enter(HEADERS, this.call.now())
  }

  /** A chunk of body arrived. */
  activity(size: number): void {
    this.bytesRead += size
    if (this.phase === HEADERS) this.phase = BODY
    this.lastActivity = currentTimeMillis(this.call.cfg.clock)
  }

  /** What the attempt reported, with the cause it failed with. */
  facts(cause: unknown): Facts {
    return {
      phase: this.phaseName,
      reusedSocket: this.reusedSocket,
      bytesWritten: this.written_,
      bytesRead: this.bytesRead,
      proxy: this.route,
      pool: this.poolState,
      unprocessed: this.refused,
      cause
    }
  }

  // --- timers -----------------------------------------------------------------

  /** A later phase, from the transport: ignored when it is not later, or the attempt is over. */
  private report(phase: number): boolean {
    if (this.reasonTag !== undefined || phase < this.phase && !(phase === QUEUED && this.phase === CONNECTING)) {
      return false
    }
    if (phase === WRITTEN && this.phase === CONNECTED) {
      // the response limit runs from the connection, not from the write
      this.phase = WRITTEN
      return true
    }
    if (phase !== this.phase) this.enter(phase, this.call.now())
    return true
  }

  private phaseDue(): number {
    const cfg = this.call.cfg
    switch (this.phase) {
      case QUEUED:
        return this.timerAt + cfg.poolMs
      case CONNECTING:
        return this.timerAt + cfg.connectMs
      case CONNECTED:
      case WRITTEN:
        return this.timerAt + cfg.responseMs
      case HEADERS:
      case BODY:
        return this.lastActivity + cfg.bodyIdleMs
      default:
        return Infinity
    }
  }

  private enter(phase: number, now: number): void {
    this.phase = phase
    this.timerAt = now
    this.lastActivity = now
    const due = this.phaseDue()
    const deadlineAt = this.call.deadlineAt
    this.call.cfg.scheduler.schedule(this, due < deadlineAt ? due : deadlineAt)
  }

  onDue(now: number): number {
    if (this.reasonTag !== undefined) return Infinity
    const deadlineAt = this.call.deadlineAt
    if (now >= deadlineAt) {
      this.deadlineFired = true
      this.abort("DeadlineExceeded")
      return Infinity
    }
    const due = this.phaseDue()
    if (now >= due) {
      this.abort(
        this.phase === QUEUED
          ? "PoolTimeout"
          : this.phase === CONNECTING
          ? "ConnectTimeout"
          : this.phase <= WRITTEN
          ? "ResponseTimeout"
          : "BodyTimeout"
      )
      return Infinity
    }
    return due < deadlineAt ? due : deadlineAt
  }

  /** The attempt is over: leave the scheduler. */
  done(): void {
    this.keepAlive = false
    this.call.cfg.scheduler.cancel(this)
  }

  /** Ends a failed attempt: tells the transport to let go of it (if it still holds it), and leaves the scheduler. */
  end(): void {
    this.abort("Interrupted")
    this.done()
  }

  // --- abort ------------------------------------------------------------------

  /** The abort reason the transport sees, built on first use. */
  get reason(): AttemptAborted | undefined {
    if (this.reasonTag === undefined) return undefined
    return this.abortError ??= abortReason(this.reasonTag)
  }

  abort(tag: string): void {
    if (this.reasonTag !== undefined) return
    this.reasonTag = tag
    const listener = this.listener
    this.listener = undefined
    // no listener and no signal handed out: nobody to tell, nothing to build
    if (listener !== undefined) listener(this.reason!)
    this.controller?.abort(this.reason)
  }
}
