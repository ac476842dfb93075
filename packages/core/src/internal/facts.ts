/**
 * From the facts an attempt ended with to its tagged error: the limit that
 * cut it off, or what `Classify` makes of the transport's cause given how
 * far the attempt got. And the final error of a request, with its history.
 *
 * @internal
 */
import * as Classify from "../Classify.js"
import * as Errors from "../Errors.js"
import type { AttemptState } from "./attempt.js"
import type { Call } from "./callState.js"
import { withoutStack } from "./transport.js"

const noHistory: ReadonlyArray<Errors.AttemptRecord> = []

const classifyPhase = (attempt: AttemptState): "connect" | "response" | "body" => {
  const phase = attempt.phaseName
  return phase === "queued" || phase === "connecting"
    ? "connect"
    : phase === "headers" || phase === "body"
    ? "body"
    : "response"
}

/**
 * The error of a failed attempt (stackless: see `withoutStack`; `finalize`
 * gives the final one its stack). `redirectedTo`: the hop's url after a
 * redirect.
 *
 * @internal
 */
export const failure = (attempt: AttemptState, cause: unknown, redirectedTo?: URL): Errors.HttpError =>
  withoutStack(() => {
    const tag = attempt.reasonTag
    if (
      tag === "PoolTimeout" || tag === "ConnectTimeout" || tag === "ResponseTimeout" || tag === "BodyTimeout" ||
      tag === "DeadlineExceeded"
    ) return timeoutError(attempt, tag, cause)
    const call = attempt.call
    const cfg = call.cfg
    return Classify.classify(cause, {
      method: call.request.method,
      url: call.url,
      phase: classifyPhase(attempt),
      requestSent: attempt.phase >= 3,
      proxy: attempt.route ?? cfg.proxyFor?.(call.url),
      connectTimeoutMs: cfg.connectMs,
      responseTimeoutMs: cfg.responseMs,
      bodyIdleTimeoutMs: cfg.bodyIdleMs,
      maxBodySize: cfg.maxBodySize,
      redirectedTo,
      status: attempt.status
    })
  })

/** The error standing for the limit `tag` that cut `attempt` off. @internal */
export const timeoutError = (attempt: AttemptState, tag: string, cause: unknown): Errors.HttpError => {
  const call = attempt.call
  const cfg = call.cfg
  const request = call.requestInfo
  const attempts = call.attempts
  // literals, not `{ ...common, field }`: V8 (Node 20) builds a spread with a field added on a slow path
  switch (tag) {
    case "PoolTimeout": {
      const pool = attempt.poolState
      return new Errors.PoolTimeout({
        request,
        attempts,
        history: noHistory,
        cause,
        timeoutMs: cfg.poolMs,
        origin: pool?.origin ?? call.url.origin,
        ...(pool === undefined ? {} : { inUse: pool.inUse, limit: pool.limit, waiting: pool.waiting }),
        requestSent: false
      }, true)
    }
    case "ConnectTimeout":
      return new Errors.ConnectTimeout({ request, attempts, history: noHistory, cause, timeoutMs: cfg.connectMs }, true)
    case "ResponseTimeout":
      return new Errors.ResponseTimeout(
        { request, attempts, history: noHistory, cause, timeoutMs: cfg.responseMs },
        true
      )
    case "BodyTimeout":
      return new Errors.BodyTimeout({
        request,
        attempts,
        history: noHistory,
        cause,
        timeoutMs: cfg.bodyIdleMs,
        bytesReceived: attempt.bytesRead
      }, true)
    default:
      return deadlineError(call, cause, undefined)
  }
}

/** The deadline ran out (`lastError`: the failure it would have retried). @internal */
export const deadlineError = (call: Call, cause: unknown, lastError: string | undefined): Errors.DeadlineExceeded =>
  new Errors.DeadlineExceeded({
    request: call.requestInfo,
    attempts: call.attempts,
    history: noHistory,
    cause,
    deadlineMs: call.cfg.deadlineMs,
    ...(lastError === undefined ? {} : { lastError })
  }, true)

/** The final error: the same failure, with the attempt count and history. @internal */
export const finalize = (call: Call, error: Errors.HttpError): Errors.HttpError => {
  const Ctor = error.constructor as new(props: object, disableValidation: boolean) => Errors.HttpError
  // `cause` is not an own enumerable property of Effect's errors: carry it over by name
  const cause = error.cause
  const history = call.history ?? noHistory
  // `Object.assign`, not a spread with fields added (slow on V8, see `timeoutError`)
  return new Ctor(
    Object.assign(
      {},
      error,
      cause === undefined ? undefined : { cause },
      history[history.length - 1]?.retryRefused === undefined ? undefined : { retryRefused: "budget" },
      { attempts: call.attempts, history }
    ),
    true
  )
}
