/**
 * One attempt of a request (`AttemptState`): the phase timers, the abort,
 * and the facts the attempt ends with. The request across its attempts is a
 * `Call` (callState.ts).
 *
 * An `AttemptState` is what the transport
 * sees (`Transport.Attempt`): it reports phases and facts into it, and is
 * cut off through it. It is also the attempt's single entry in the client's
 * deadline scheduler: its key is the due time of the current phase's limit
 * (pool, connect, response, body idle) or of the deadline, whichever is
 * first. Nothing here forks a fiber or allocates per phase.
 *
 * @internal
 */
import { currentTimeMillis } from "#line/unsafe"
import { type Facts, type Phase, phases, type PoolState, type ProxyRoute } from "../Transport.js"
import type * as Transport from "../Transport.js"
import type { Call, Hop } from "./callState.js"
import type { Timed } from "./scheduler.js"
import { abortReason, type AttemptAborted } from "./transport.js"

const QUEUED = 0
const CONNECTING = 1
const CONNECTED = 2
const WRITTEN = 3
const HEADERS = 4
const BODY = 5

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

  /** When the phases last (re)started: the first hop's send, or a redirect hop's. */
  startedAt = 0

  /** `now`: the clock's time, when the caller just read it (one read shared, not one each). */
  constructor(readonly call: Call, readonly n: number, now: number) {
    this.start(now)
  }

  /** (Re)starts the phases: at the first hop, and at each redirect hop. */
  start(now: number = this.call.now()): void {
    this.bytesRead = 0
    this.status = undefined
    this.reusedSocket = false
    this.written_ = undefined
    this.refused = false
    this.startedAt = now
    this.enter(this.call.cfg.transport.tracksConnect ? CONNECTING : WRITTEN, now)
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
