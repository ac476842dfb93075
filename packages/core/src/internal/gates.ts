/**
 * The gates of a call (rate limit, breaker, bulkhead…, see policy.ts): asked
 * in order before each attempt, told of each response and outcome.
 *
 * @internal
 */
import * as Effect from "#line/Effect"
import { HttpClientRequest } from "#line/http"
import type { HttpClientResponse } from "#line/http"
import * as Errors from "../Errors.js"
import type { AttemptState } from "./attempt.js"
import { Call } from "./callState.js"
import { finalize } from "./facts.js"

/** Runs the gates' `admit`s in order; `undefined` when none has anything to run. */
export const admit = (call: Call): Effect.Effect<void, Errors.HttpError> | undefined => {
  let all: Effect.Effect<void, Errors.HttpError> | undefined
  for (const gate of call.cfg.gates) {
    // a gate after one that waits or may refuse is asked once that one admitted (a bulkhead slot is not held meanwhile)
    if (all !== undefined) {
      all = Effect.zipRight(all, Effect.suspend(() => gate.admit(call, call.attempts + 1) ?? Effect.void))
      continue
    }
    all = gate.admit(call, call.attempts + 1)
  }
  return all === undefined ? undefined : Effect.catchAll(all, (error) => Effect.fail(finalize(call, error)))
}

/** The gates that learn from responses hear of this one (a rate limiter reads its quota headers). */
export const respond = (
  call: Call,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  response: HttpClientResponse.HttpClientResponse
): void => {
  for (const gate of call.cfg.gates) {
    gate.onResponse?.(request.method, url, response.status, response.headers, call.now())
  }
}

/** Tells the gates of an attempt's outcome; the Effect some of them return (a log line), if any. */
export const observeGates = (
  call: Call,
  attempt: AttemptState,
  error: Errors.HttpError | undefined
): Effect.Effect<void> | undefined => {
  let all: Effect.Effect<void> | undefined
  for (const gate of call.cfg.gates) {
    const observed = gate.observe?.(call, attempt.n, error)
    if (observed !== undefined) all = all === undefined ? observed : Effect.zipRight(all, observed)
  }
  return all
}
