/**
 * The one place that decides what happens after a failed attempt: send it
 * again at once, retry after a wait, or give up — and why.
 *
 * Pure: data in, data out. No Effect service, no clock, no randomness, so
 * fast-check can drive it and a port to another Effect line reuses it as it
 * is. The caller (`call.ts`) gathers the inputs: the policy, the request's
 * constants, the history so far, the failed attempt's facts and error, the
 * time; and, only when a retry is allowed, the retry schedule's answer
 * (stepping a `Schedule` is effectful, so `decide` asks for it with
 * `AskSchedule` and is called again with it).
 *
 * The rules, in the order they are applied:
 * 1. the deadline passed, or fired during the attempt: give up;
 * 2. re-sends, whatever the retry policy says (they are not retries: the
 *    attempt failed for a reason that says nothing about the server):
 *    - a stale keep-alive connection: a reset or close on a reused
 *      connection before any response byte, when nothing was written yet or
 *      the request is safe to send twice; once in a row;
 *    - a proxy that cannot be reached, when the route allows a direct
 *      fallback; once per call;
 *    - a request the server did not process (HTTP/2 `REFUSED_STREAM`, a
 *      fact the transport reports), whatever its method, when its body can
 *      be sent twice; not right after another re-send (a server that
 *      refuses again is left to the retry policy);
 * 3. a failure the browser refused (CORS, mixed content): give up, whatever
 *    the retry policy says — it would be refused again;
 * 4. retries: the error's kind (`retryOn`), then whether the request may
 *    have reached the server (idempotency, a body that cannot be sent
 *    twice), the retry count, the schedule, `Retry-After`, the deadline and
 *    `maxElapsed`.
 *
 * A retry budget is asked by the caller after `Retry` (it withdraws, so it
 * comes last), and its refusal is recorded as `GiveUp("budget")`.
 *
 * Hedging (`decideHedge`) is decided here too: whether another attempt may
 * start beside the one running, when a hedge policy's delay has passed.
 * The budget pays for each hedge, asked by the caller after `Hedge`.
 *
 * @internal
 */
import type * as Errors from "../Errors.js"
import type { Facts, Phase } from "./transportFacts.js"

/** What `decide` needs of the retry policy. @internal */
export interface Policy {
  /** Whether retries are allowed at all. */
  readonly enabled: boolean
  /** The most retries (`Infinity`: the schedule alone stops them). */
  readonly retries: number
  /** Whether an error is worth retrying, by its kind. */
  readonly retryOn: (error: Errors.HttpError) => boolean
  readonly retryAfterStatuses: ReadonlySet<number>
  readonly retryAfterMaxMs: number
  readonly maxElapsedMs: number
}

/** The request's constants. @internal */
export interface Request {
  /**
   * It may be sent again after it may have reached the server: an
   * idempotent method, an `Idempotency-Key` header, or a policy that opts in.
   */
  readonly safe: boolean
  /** Its body can be sent a second time. */
  readonly replayable: boolean
  readonly startedAt: number
  /** `startedAt` plus the deadline (`Infinity` when off). */
  readonly deadlineAt: number
}

/** The failed attempt. @internal */
export interface Outcome {
  readonly error: Errors.HttpError
  readonly facts: Facts
  /** The deadline fired during the attempt. */
  readonly deadline: boolean
}

/** What the retry schedule said for this failure: the delay it asks for, or that it is done. @internal */
export type ScheduleAnswer = { readonly delayMs: number } | "done"

/** Why a request is sent again at once. @internal */
export type ResendReason = "stale-socket" | "proxy-fallback" | "refused-stream"

/** Why a request is retried. @internal */
export type RetryReason = "policy" | "retry-after"

/** Why the client gives up. @internal */
export type GiveUpReason =
  | "deadline"
  | "not-retryable"
  | "not-idempotent"
  | "body-sent"
  | "retries"
  | "schedule"
  | "retry-after"
  | "retry-after-deadline"
  | "max-elapsed"
  | "budget"
  | "browser-refused"

/** @internal */
export type Decision =
  | { readonly _tag: "Resend"; readonly reason: ResendReason }
  | { readonly _tag: "Retry"; readonly delayMs: number; readonly reason: RetryReason }
  | { readonly _tag: "GiveUp"; readonly reason: GiveUpReason }
  | { readonly _tag: "AskSchedule" }

const phaseIndex: Readonly<Record<Phase, number>> = {
  queued: 0,
  connecting: 1,
  connected: 2,
  written: 3,
  headers: 4,
  body: 5
}

/** Whether the attempt may have reached the server: it was written, and its error does not prove otherwise. @internal */
export const mayHaveReachedServer = (facts: Facts, error: Errors.HttpError): boolean =>
  phaseIndex[facts.phase] >= phaseIndex.written && mayHaveReached(error)

const mayHaveReached = (error: Errors.HttpError): boolean => {
  switch (error._tag) {
    case "DnsError":
    case "ConnectionRefused":
    case "NetworkUnreachable":
    case "TlsError":
    case "ProxyError":
    case "PoolTimeout":
    case "RateLimited":
    case "CircuitOpen":
    case "BulkheadRejected":
    case "ConnectTimeout":
    case "InvalidUrl":
    case "InvalidRequest":
      return false
    case "ConnectionReset":
      return error.requestSent
    case "TransportError":
      // "unknown" (fetch in a browser) counts as possibly sent
      return error.requestSent !== false
    default:
      return true
  }
}

const giveUp = (reason: GiveUpReason): Decision => ({ _tag: "GiveUp", reason })
const ASK: Decision = { _tag: "AskSchedule" }
const STALE: Decision = { _tag: "Resend", reason: "stale-socket" }
const FALLBACK: Decision = { _tag: "Resend", reason: "proxy-fallback" }
const REFUSED: Decision = { _tag: "Resend", reason: "refused-stream" }

/**
 * The server did not process the request (the transport says so): sent
 * again if its body allows, and not right after another re-send (so a
 * server that refuses, or alternates refusals and closes, meets the retry
 * policy).
 */
const isRefused = (request: Request, history: ReadonlyArray<Errors.AttemptRecord>, outcome: Outcome): boolean =>
  outcome.facts.unprocessed === true && request.replayable &&
  history[history.length - 1]?.decision !== "resend"

/** Retries so far: the `retry` decisions of the history. @internal */
export const retriesSoFar = (history: ReadonlyArray<Errors.AttemptRecord>): number => {
  let n = 0
  for (const record of history) if (record.decision === "retry") n++
  return n
}

/**
 * A reset or close on a reused keep-alive connection before any byte of the
 * response: the server had closed the connection as it went out, which says
 * nothing about the request. Sent again when nothing of it was written, or
 * when it is safe to send twice; not twice in a row.
 */
const isStale = (request: Request, history: ReadonlyArray<Errors.AttemptRecord>, outcome: Outcome): boolean => {
  const { error, facts } = outcome
  if (!facts.reusedSocket || facts.bytesRead > 0) return false
  if (error._tag !== "ConnectionReset" || error.phase !== "before-response") return false
  const phase = phaseIndex[facts.phase]
  if (phase < phaseIndex.connected || phase > phaseIndex.written) return false
  if (phase === phaseIndex.written && !(request.safe && request.replayable)) return false
  return history[history.length - 1]?.reason !== "stale-socket"
}

/** The proxy could not be reached at all (no answer to CONNECT), and a direct route is allowed: once per call. */
const isProxyDown = (history: ReadonlyArray<Errors.AttemptRecord>, outcome: Outcome): boolean => {
  const { error, facts } = outcome
  if (facts.proxy === undefined || !facts.proxy.fallback) return false
  if (error._tag !== "ProxyError" || error.status !== undefined || error.code === "UND_ERR_PRX_TLS") return false
  if (phaseIndex[facts.phase] > phaseIndex.connecting) return false
  return !history.some((record) => record.reason === "proxy-fallback")
}

/**
 * A failure the page can tell the browser itself refused (see
 * `Errors.OpaqueCause`): a CORS rejection or mixed content. Not retried
 * whatever `retryOn` says: the browser refuses the same request the same
 * way until the server's (or the page's) configuration changes.
 */
const isRefusedByBrowser = (error: Errors.HttpError): boolean =>
  error._tag === "TransportError" && error.reason === "opaque-network" &&
  (error.likely === "cors" || error.likely === "mixed-content")

/**
 * Decides after a failed attempt. `history` holds the attempts before this
 * one; `now` is the time the attempt ended. When a retry is allowed and
 * `schedule` is missing, returns `AskSchedule`: step the retry schedule and
 * call again with its answer.
 *
 * @internal
 */
export const decide = (
  policy: Policy,
  request: Request,
  history: ReadonlyArray<Errors.AttemptRecord>,
  outcome: Outcome,
  now: number,
  schedule?: ScheduleAnswer
): Decision => {
  const error = outcome.error
  if (outcome.deadline || error._tag === "DeadlineExceeded" || now >= request.deadlineAt) return giveUp("deadline")

  // before the stale-socket rule: a refused stream on a reused connection is a refusal, whatever its method
  if (isRefused(request, history, outcome)) return REFUSED
  if (isStale(request, history, outcome)) return STALE
  if (isProxyDown(history, outcome)) return FALLBACK

  if (isRefusedByBrowser(error)) return giveUp("browser-refused")
  if (!policy.retryOn(error)) return giveUp("not-retryable")
  if (mayHaveReachedServer(outcome.facts, error)) {
    if (!request.safe) return giveUp("not-idempotent")
    if (!request.replayable) return giveUp("body-sent")
  }
  if (!policy.enabled || retriesSoFar(history) >= policy.retries) return giveUp("retries")
  if (schedule === undefined) return ASK
  if (schedule === "done") return giveUp("schedule")

  let delayMs = schedule.delayMs > 0 ? schedule.delayMs : 0
  let reason: RetryReason = "policy"
  if (
    error._tag === "StatusError" && error.retryAfterMs !== undefined && policy.retryAfterStatuses.has(error.status)
  ) {
    if (error.retryAfterMs > policy.retryAfterMaxMs) return giveUp("retry-after")
    if (error.retryAfterMs > delayMs) {
      delayMs = error.retryAfterMs
      reason = "retry-after"
    }
    if (now + delayMs >= request.deadlineAt) return giveUp("retry-after-deadline")
  } else if (now + delayMs >= request.deadlineAt) {
    return giveUp("deadline")
  }
  if (now + delayMs - request.startedAt > policy.maxElapsedMs) return giveUp("max-elapsed")
  return { _tag: "Retry", delayMs, reason }
}

/** Why no hedge is started. @internal */
export type NoHedgeReason = "not-safe" | "body-not-replayable" | "hedges-spent" | "deadline"

/** Whether to start a hedge: another attempt of the request beside the one(s) running. @internal */
export type HedgeDecision =
  | { readonly _tag: "Hedge" }
  | { readonly _tag: "NoHedge"; readonly reason: NoHedgeReason }

const hedge: HedgeDecision = { _tag: "Hedge" }
const noHedge = (reason: NoHedgeReason): HedgeDecision => ({ _tag: "NoHedge", reason })

/**
 * Whether a hedge may start at `startAt`, with `hedgesLeft` of the policy's
 * hedges not started yet. Only a request that is safe to send twice (by
 * `decide`'s rule, or the hedge policy's own `safe` answer when it has one)
 * with a body that can be sent twice is hedged, and not at or past its
 * deadline. The caller asks it when it would arm the hedge timer, and the
 * retry budget pays for the hedge once it is `Hedge`.
 *
 * @internal
 */
export const decideHedge = (
  request: Request,
  hedgesLeft: number,
  startAt: number,
  safe: boolean = request.safe
): HedgeDecision => {
  if (!safe) return noHedge("not-safe")
  if (!request.replayable) return noHedge("body-not-replayable")
  if (hedgesLeft < 1) return noHedge("hedges-spent")
  if (startAt >= request.deadlineAt) return noHedge("deadline")
  return hedge
}
