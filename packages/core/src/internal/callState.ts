/**
 * One request across its attempts (`Call`): what stays the same from one
 * attempt to the next, the append-only history, the retry schedule's state
 * and the attempt in flight. Each attempt is an `AttemptState`
 * (attempt.ts), which the transport reports into.
 *
 * @internal
 */
import type * as FiberRef from "#line/FiberRef"
import type { HttpClientRequest } from "#line/http"
import type { DrawFiber } from "#line/random"
import { currentTimeMillis } from "#line/unsafe"
import type * as Tracer from "effect/Tracer"
import type * as Errors from "../Errors.js"
import * as Redirects from "../Redirects.js"
import { AttemptState } from "./attempt.js"
import type * as Decide from "./decide.js"
import { hedgedAttempts } from "./hedge.js"
import type { Compiled, GateRequest } from "./policy.js"
import { redactUrl } from "./redact.js"
import type { CallSpan, Sending } from "./trace.js"

/** Where in a redirect chain an attempt is. @internal */
export interface Hop {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly url: URL
  /** Redirects followed before this hop. */
  readonly followed: number
  readonly visited: ReadonlyArray<string> | undefined
}

/** What a call reads of the fiber that runs it (its log level, its `Random`). @internal */
export interface CallFiber extends DrawFiber {
  readonly getFiberRef: <X>(ref: FiberRef.FiberRef<X>) => X
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
  /**
   * The call has started (counted, its span opened in place): its first
   * step ran inside the region whose handler finishes it (`call.ts`). An
   * interruption taken before that step ends a call that has nothing to finish.
   */
  begun = false
  /** Where `Client.withHistory` collects, when it wraps this request. */
  collector: Array<Errors.AttemptRecord> | undefined = undefined
  private info: Errors.RequestInfo | undefined = undefined
  private origin_: string | undefined = undefined

  constructor(
    readonly cfg: Compiled,
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly url: URL,
    /**
     * The fiber that runs the call (its decisions and its end run on it,
     * hedged or not), read for its log level and its `Random` where an
     * Effect step would otherwise only read the fiber.
     */
    readonly fiber: CallFiber
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

  /** Starts the next attempt (`now`: the clock's time, when the caller just read it). */
  begin(now: number = this.now()): AttemptState {
    const attempt = new AttemptState(this, ++this.attempts, now)
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
    // the first record in a literal: an empty array's first push allocates room for 17
    if (this.history === undefined) this.history = [entry]
    else this.history.push(entry)
  }
}
