/**
 * The loop that ties a request together, and nothing else:
 *
 * ```
 * prepare (request.ts) ──> [gates] ──> attempt: hop ─ redirects ─ hop … ──> onResponse ──> value
 *                             ^              │ failure
 *                             │              v
 *                             │        facts ──> decide (pure) ──> Resend ──┐
 *                             │                                 ──> Retry (after the wait)
 *                             └─────────────────────────────────────────────┘
 *                                                               ──> GiveUp ──> error with its history
 * ```
 *
 * Every re-send and retry is decided by `decide` and recorded in the call's
 * history with its reason; `observe` turns it into log lines, span events
 * and metrics. Nothing here forks a fiber: timeouts are entries in the
 * client's deadline scheduler (see `attempt.ts`).
 *
 * Beside it: `hop.ts` (one hop on the wire, its headers, redirects),
 * `gates.ts` (the policies asked before each attempt and told each outcome:
 * rate limit → budget → breaker → bulkhead; hedging is `hedge.ts`) and
 * `scheduleStep.ts` (the retry schedule's answer).
 *
 * @internal
 */
import * as Cause from "#line/Cause"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import { HttpClientRequest } from "#line/http"
import * as RuntimeFlags from "#line/RuntimeFlags"
import * as Errors from "../Errors.js"
import type { AttemptState } from "./attempt.js"
import { Call, type Hop } from "./callState.js"
import { caught } from "./caught.js"
import { authorize } from "./credentials.js"
import { decide, type Decision, type GiveUpReason } from "./decide.js"
import { deadlineError, finalize } from "./facts.js"
import { admit, observeGates } from "./gates.js"
import { hedged } from "./hedge.js"
import { hop, noHistory, type OnResponse } from "./hop.js"
import * as observe from "./observe.js"
import type { Compiled } from "./policy.js"
import { hookedHeadersProblem, releaseRawBody, resolve, sendable } from "./request.js"
import { waitFor } from "./retryWait.js"
import { step } from "./scheduleStep.js"
import * as trace from "./trace.js"

/**
 * Runs one request through deadline, retries, redirects and timeouts;
 * `onResponse` turns the final response into the result inside the attempt.
 *
 * @internal
 */
export const run = <A, R>(
  cfg: Compiled,
  request: HttpClientRequest.HttpClientRequest,
  onResponse: OnResponse<A, R>
): Effect.Effect<A, Errors.HttpError, R> =>
  Effect.withFiberRuntime<A, Errors.HttpError, R>((fiber) => {
    const resolved = resolve(cfg, request)
    if (resolved._tag !== "Resolved") return Effect.fail(resolved)
    const sent = sendable(cfg, request, resolved)
    if (Errors.isHttpError(sent)) return Effect.fail(sent)
    const call = new Call(cfg, sent, resolved.url, fiber)
    const access = trace.access(fiber)
    // the call starts in its first step, inside the region whose handler ends it: an interruption can land between
    // any two steps (a fiber yields now and then); one taken before this step leaves nothing to end
    const effect = Effect.suspend(() => {
      call.begun = true
      observe.started(call, fiber)
      if (access !== undefined) trace.open(call, access)
      // the first attempt starts when the call does: one clock read for both
      return nextNow(call, onResponse, undefined, call.startedAt)
    })
    if (access === undefined) {
      // the general path: what `Effect.onExit` and `Effect.useSpan` do
      return observe.traced(
        call,
        fiber,
        Effect.uninterruptibleMask((restore) => Effect.matchCauseEffect(restore(effect), handlers(call, undefined)))
      )
    }
    return guarded(access, effect, handlers(call, access))
  })

interface Handlers<A> {
  readonly onFailure: (cause: Cause.Cause<Errors.HttpError>) => Effect.Effect<never, Errors.HttpError>
  readonly onSuccess: (value: A) => Effect.Effect<A, Errors.HttpError>
}

/**
 * How a call ends, however it ends: `finish`, then (when the span was
 * opened in place) the call span ends with the request's exit — after what
 * `finish` runs, as `Effect.onExit` inside `Effect.useSpan` would.
 */
const handlers = <A>(call: Call, fiber: trace.FiberAccess | undefined): Handlers<A> => ({
  onFailure: (cause) =>
    call.begun ? ending(call, fiber, finish(call, cause), Exit.failCause(cause)) : unbegun(call, cause),
  onSuccess: (value) => ending(call, fiber, finish(call, undefined), Exit.succeed(value))
})

/** A call interrupted before it began: nothing was counted or opened, but its raw body will not be sent. */
const unbegun = (call: Call, cause: Cause.Cause<Errors.HttpError>): Exit.Exit<never, Errors.HttpError> => {
  releaseRawBody(call.request.body)
  return Exit.failCause(cause)
}

const ending = <A>(
  call: Call,
  fiber: trace.FiberAccess | undefined,
  finished: Effect.Effect<void> | undefined,
  exit: Exit.Exit<A, Errors.HttpError>
): Effect.Effect<A, Errors.HttpError> => {
  if (finished === undefined) {
    if (fiber !== undefined) trace.close(call, fiber, exit)
    return exit
  }
  return Effect.matchCauseEffect(finished, {
    onFailure: (cause) => {
      // as `Effect.onExit`: the failure of the finalizer after the request's
      const failed = Exit.failCause(Exit.isFailure(exit) ? Cause.sequential(exit.cause, cause) : cause)
      if (fiber !== undefined) trace.close(call, fiber, failed)
      return failed
    },
    onSuccess: () => {
      if (fiber !== undefined) trace.close(call, fiber, exit)
      return exit
    }
  })
}

/**
 * `effect` with `handlers` run however it ends (interrupted too): what
 * `Effect.onExit` does, in fewer steps. The request runs interruptible when
 * its caller was, inside an uninterruptible region whose one handler frame
 * finishes the call; an interruption unwinds to it, and `finish` aborts the
 * attempt in flight (which is how a transport learns of it: see
 * `Transport.Attempt.abortsOnInterrupt`).
 */
const guarded = <A, R>(
  fiber: trace.FiberAccess,
  effect: Effect.Effect<A, Errors.HttpError, R>,
  handlers: Handlers<A>
): Effect.Effect<A, Errors.HttpError, R> =>
  RuntimeFlags.interruption(fiber.currentRuntimeFlags)
    ? Effect.uninterruptible(Effect.matchCauseEffect(Effect.interruptible(effect), handlers))
    : Effect.matchCauseEffect(effect, handlers)

/** The call is over (`cause`: how it failed, `undefined` when it succeeded); an Effect when something has to run. */
const finish = (call: Call, cause: Cause.Cause<Errors.HttpError> | undefined): Effect.Effect<void> | undefined => {
  const current = call.current
  if (cause !== undefined) {
    if (call.waitTimer !== undefined) {
      // interrupted while waiting to retry
      clearTimeout(call.waitTimer)
      call.waitTimer = undefined
    }
    // the transport learns of an interruption from this abort (`Transport.Attempt.abortsOnInterrupt`)
    if (Cause.isInterrupted(cause)) current?.abort("Interrupted")
    current?.done()
    releaseRawBody(call.request.body)
    for (const gate of call.cfg.gates) gate.release?.(call)
  } else if (current !== undefined) {
    if (!current.keepAlive) current.done()
    const gated = call.cfg.gates.length > 0 ? observeGates(call, current, undefined) : undefined
    const after = call.cfg.afterAttempt?.({
      attempt: current.n,
      request: call.sentRequest ?? call.request,
      error: undefined,
      status: current.status
    })
    const observed = after === undefined ? gated : gated === undefined ? after : Effect.zipRight(gated, after)
    if (observed !== undefined) return Effect.zipRight(observed, observe.finished(call, cause, true) ?? Effect.void)
  }
  return observe.finished(call, cause)
}

// --- one attempt ---------------------------------------------------------------------

/** The next attempt, from the first hop, or from `from` (a re-send sends the hop that failed again). */
const next = <A, R>(
  call: Call,
  onResponse: OnResponse<A, R>,
  from?: Hop
): Effect.Effect<A, Errors.HttpError, R> => Effect.suspend(() => nextNow(call, onResponse, from, call.now()))

/** {@link next}, when it is already time to run it (after a retry's wait); `now`: the clock's time, read once. */
const nextNow = <A, R>(
  call: Call,
  onResponse: OnResponse<A, R>,
  from: Hop | undefined,
  now: number
): Effect.Effect<A, Errors.HttpError, R> => {
  if (now >= call.deadlineAt) {
    const last = call.history?.[call.history.length - 1]
    return Effect.fail(finalize(call, deadlineError(call, undefined, last?.tag)))
  }
  const gates = call.cfg.gates.length === 0 ? undefined : admit(call)
  // after the gates, which may wait, the attempt reads the clock again
  return gates === undefined
    ? attempt(call, onResponse, from, now)
    : Effect.zipRight(gates, Effect.suspend(() => attempt(call, onResponse, from, undefined)))
}

const attempt = <A, R>(
  call: Call,
  onResponse: OnResponse<A, R>,
  from: Hop | undefined,
  now: number | undefined
): Effect.Effect<A, Errors.HttpError, R> => {
  // a client's bearer token Effect runs before each attempt from the first hop (credentials.ts)
  const authorized = from === undefined && call.cfg.credentials?.token !== undefined ? authorize(call) : undefined
  if (authorized !== undefined) {
    return Effect.matchEffect(authorized, {
      onFailure: (error) => Effect.fail(finalize(call, error)),
      onSuccess: (request) => send(call, onResponse, undefined, request, undefined)
    })
  }
  return send(call, onResponse, from, call.request, now)
}

/** The attempt, begun at `now` (the clock's time just read) or, when `undefined`, at the clock's time. */
const send = <A, R>(
  call: Call,
  onResponse: OnResponse<A, R>,
  from: Hop | undefined,
  request: HttpClientRequest.HttpClientRequest,
  now: number | undefined
): Effect.Effect<A, Errors.HttpError, R> => {
  // a hedging policy runs the attempt and its hedges (hedge.ts); without one, nothing more happens here
  const hedge = call.cfg.hedge
  if (hedge !== undefined && from === undefined) {
    return hedged(
      hedge,
      call,
      (current) => exchange(call, current, onResponse, from, request),
      (current, error) => afterFailure(current, error, onResponse)
    )
  }
  const current = call.begin(now)
  // `catchAllCause`: its frame costs nothing when the attempt succeeds (`catchAll` re-wraps the value)
  return Effect.catchAllCause(
    exchange(call, current, onResponse, from, request),
    (cause) => caught(cause, (error) => afterFailure(current, error, onResponse))
  )
}

/** One attempt: the `beforeAttempt` hook, then its hops, up to its result (the decision after a failure is not here). */
const exchange = <A, R>(
  call: Call,
  current: AttemptState,
  onResponse: OnResponse<A, R>,
  from: Hop | undefined,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<A, Errors.HttpError, R> => {
  if (from?.visited !== undefined) current.visited = [...from.visited]
  const before = call.cfg.beforeAttempt
  if (before !== undefined) {
    return Effect.flatMap(
      before({ attempt: current.n, request: from?.request ?? call.request, previous: call.lastError }),
      (changed) => {
        const request = from?.request ?? call.request
        // headers and body from the hook; method and url as prepared
        const sent = changed === request ? request : rebuild(request, changed)
        const invalid = sent === request ? undefined : hookedHeadersProblem(call.requestInfo, current.n, sent.headers)
        if (invalid !== undefined) return Effect.fail(invalid)
        call.sentRequest = sent
        // the hook may have taken time: the send reads the clock (without it, the send starts with its attempt)
        return hop(current, sent, from?.url ?? call.url, from?.followed ?? 0, onResponse, undefined)
      }
    )
  }
  return from === undefined
    ? hop(current, request, call.url, 0, onResponse, current.startedAt)
    : hop(current, from.request, from.url, from.followed, onResponse, current.startedAt)
}

/** `request` with the headers and body a hook gave it. */
const rebuild = (
  request: HttpClientRequest.HttpClientRequest,
  changed: HttpClientRequest.HttpClientRequest
): HttpClientRequest.HttpClientRequest =>
  changed.method === request.method && changed.url === request.url
    ? changed
    : HttpClientRequest.setBody(HttpClientRequest.setHeaders(request, changed.headers), changed.body)

// --- after a failed attempt ------------------------------------------------------------

const afterFailure = <A, R>(
  attempt: AttemptState,
  error: Errors.HttpError,
  onResponse: OnResponse<A, R>
): Effect.Effect<A, Errors.HttpError, R> => {
  const call = attempt.call
  const cfg = call.cfg
  const now = call.now()
  attempt.end()
  observe.failed(call, error, now)
  call.lastError = error
  const after = cfg.afterAttempt?.({
    attempt: attempt.n,
    request: call.sentRequest ?? call.request,
    error,
    status: attempt.status
  })
  const gated = cfg.gates.length > 0 ? observeGates(call, attempt, error) : undefined
  const observed = after === undefined ? gated : gated === undefined ? after : Effect.zipRight(gated, after)
  if (observed !== undefined) {
    return Effect.zipRight(
      observed,
      Effect.suspend(() => decideAfter(attempt, error, onResponse, now))
    )
  }
  return decideAfter(attempt, error, onResponse, now)
}

const decideAfter = <A, R>(
  attempt: AttemptState,
  error: Errors.HttpError,
  onResponse: OnResponse<A, R>,
  now: number
): Effect.Effect<A, Errors.HttpError, R> => {
  const call = attempt.call
  const cfg = call.cfg
  const outcome = { error, facts: attempt.facts(error.cause), deadline: attempt.deadlineFired }
  const history = call.history ?? noHistory
  const first = decide(cfg.decide, call, history, outcome, now)
  if (first._tag !== "AskSchedule") return act(attempt, error, first, onResponse, now)
  return step(
    call,
    error,
    now,
    (answer) => act(attempt, error, decide(cfg.decide, call, history, outcome, now, answer), onResponse, now)
  )
}

const statusOf = (error: Errors.HttpError) => error._tag === "StatusError" ? error.status : undefined

const act = <A, R>(
  attempt: AttemptState,
  error: Errors.HttpError,
  decision: Decision,
  onResponse: OnResponse<A, R>,
  now: number
): Effect.Effect<A, Errors.HttpError, R> => {
  const call = attempt.call
  switch (decision._tag) {
    case "Resend":
      call.record(attempt, error._tag, statusOf(error), "resend", decision.reason, 0, now)
      if (decision.reason === "proxy-fallback") call.bypassProxy = true
      call.cfg.transport.onResend?.(decision.reason, call.url)
      return Effect.zipRight(observe.resending(attempt, error, decision.reason), next(call, onResponse, attempt.hop))
    case "Retry": {
      // the budget withdraws, so it is asked last, once every other rule said yes
      if (!call.cfg.budget.withdraw(call.origin, now)) return giveUp(attempt, error, "budget", now)
      const delayMs = decision.delayMs
      const reason = decision.reason
      call.record(attempt, error._tag, statusOf(error), "retry", reason, delayMs, now)
      // the log level read from the call's fiber (this code runs on it), then the wait and the next attempt
      const log = observe.retrying(call.fiber, attempt, error, delayMs, reason)
      const wait = waitFor(call, delayMs)
      return Effect.flatMap(
        log === undefined ? wait : Effect.zipRight(log, wait),
        () => nextNow(call, onResponse, undefined, call.now())
      )
    }
    case "GiveUp":
      return giveUp(attempt, error, decision.reason, now)
    case "AskSchedule":
      // decide asks for the schedule only when it was not given
      return Effect.dieMessage("steadfast: decide asked for the schedule twice")
  }
}

const giveUp = (
  attempt: AttemptState,
  error: Errors.HttpError,
  reason: GiveUpReason,
  now: number
): Effect.Effect<never, Errors.HttpError> => {
  const call = attempt.call
  const previous = call.history?.[call.history.length - 1]
  call.record(attempt, error._tag, statusOf(error), "give-up", reason, 0, now)
  // the mark that the retry was refused, on the record just made (the final error copies it)
  if (reason === "budget") {
    ;(call.history![call.history!.length - 1] as { retryRefused?: "budget" }).retryRefused = reason
  }
  observe.gaveUp(attempt, error, reason)
  if (reason !== "deadline") return Effect.fail(finalize(call, error))
  return Effect.fail(finalize(
    call,
    error._tag === "DeadlineExceeded"
      ? (error.lastError === undefined && previous !== undefined
        ? deadlineError(call, error.cause, previous.tag)
        : error)
      : deadlineError(call, error, error._tag)
  ))
}
