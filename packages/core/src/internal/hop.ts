/**
 * One hop of an attempt: the request on the wire, its response headers, and
 * what they lead to (a redirect to follow, a failure status, the response).
 *
 * @internal
 */
import * as Effect from "#line/Effect"
import { HttpClientRequest } from "#line/http"
import type { HttpClientResponse } from "#line/http"
import * as Errors from "../Errors.js"
import * as Redirects from "../Redirects.js"
import { type AttemptState } from "./attempt.js"
import { discard, DISCARD_LIMIT, readLimitedThen, statusError } from "./body.js"
import { caught } from "./caught.js"
import { failure } from "./facts.js"
import { respond } from "./gates.js"
import * as observe from "./observe.js"
import { redactUrl } from "./redact.js"
import { literalRefusal } from "./url.js"

/** The history of a call that has none yet (one shared empty array). */
export const noHistory: ReadonlyArray<Errors.AttemptRecord> = []

/** What to do with a final (non-redirect, non-failure) response, inside the attempt. @internal */
export type OnResponse<A, R> = (
  attempt: AttemptState,
  response: HttpClientResponse.HttpClientResponse
) => Effect.Effect<A, Errors.HttpError, R>

/**
 * One hop, sent at `now`: the clock's time when the attempt or the hop just
 * started (its phases started then), else `undefined` and the clock is read.
 */
export const hop = <A, R>(
  attempt: AttemptState,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  followed: number,
  onResponse: OnResponse<A, R>,
  now: number | undefined
): Effect.Effect<A, Errors.HttpError, R> => {
  // only a redirected attempt needs to remember where it is
  if (followed > 0) attempt.hop = { request, url, followed, visited: attempt.visited?.slice() }
  const sent = observe.sending(attempt.call, request, url, now ?? attempt.call.now())
  return Effect.matchCauseEffect(attempt.call.cfg.transport.send(sent, url, attempt), {
    onFailure: (cause) =>
      caught(cause, (error) => Effect.fail(failure(attempt, error, followed > 0 ? url : undefined))),
    onSuccess: (response) => {
      const gates = attempt.call.cfg.gates
      if (gates.length > 0) respond(attempt.call, request, url, response)
      return onHeaders(attempt, request, url, response, followed, onResponse)
    }
  })
}

const onHeaders = <A, R>(
  attempt: AttemptState,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  response: HttpClientResponse.HttpClientResponse,
  followed: number,
  onResponse: OnResponse<A, R>
): Effect.Effect<A, Errors.HttpError, R> => {
  const status = response.status
  attempt.headers(status)
  const call = attempt.call
  const cfg = call.cfg
  observe.responded(call, status)
  if (cfg.redirects.follow && Redirects.isRedirect(status)) {
    const visited = attempt.visited ??= []
    visited.push(`${request.method} ${url.href}`)
    const decision = Redirects.decide(
      cfg.redirects,
      request,
      url,
      status,
      response.headers["location"],
      visited,
      followed
    )
    const refused = decision._tag === "Follow" ? literalRefusal(cfg.allowAddress, decision.url) : undefined
    if (refused !== undefined && decision._tag === "Follow") {
      return blocked(attempt, response, { location: redactUrl(decision.url), reason: "address", detail: refused })
    }
    switch (decision._tag) {
      case "Follow":
        return Effect.zipRight(
          discard(attempt, response),
          Effect.suspend(() => {
            attempt.start()
            return hop(attempt, decision.request, decision.url, followed + 1, onResponse, attempt.startedAt)
          })
        )
      case "Blocked":
        return blocked(attempt, response, { location: redactUrl(decision.location), reason: decision.reason })
      case "TooMany":
        return Effect.zipRight(
          discard(attempt, response),
          Effect.fail(
            new Errors.TooManyRedirects({
              request: call.requestInfo,
              attempts: call.attempts,
              history: noHistory,
              max: cfg.redirects.max,
              chain: [
                ...visited.map((v) => redactUrl(v.slice(v.indexOf(" ") + 1))),
                redactUrl(new URL(response.headers["location"] ?? "", url).href)
              ],
              loop: decision.loop
            }, true)
          )
        )
      case "Return":
        break
    }
  }
  if (cfg.isFailure(status)) {
    return readLimitedThen(
      attempt,
      response,
      DISCARD_LIMIT,
      (preview) => Effect.fail(statusError(attempt, response, preview))
    )
  }
  return onResponse(attempt, response)
}

/** A redirect the client does not follow: the response's body discarded, `RedirectBlocked`. */
const blocked = (
  attempt: AttemptState,
  response: HttpClientResponse.HttpClientResponse,
  why: {
    readonly location: string
    readonly reason: Errors.RedirectBlocked["reason"]
    readonly detail?: string
  }
): Effect.Effect<never, Errors.HttpError> =>
  Effect.zipRight(
    discard(attempt, response),
    Effect.fail(
      new Errors.RedirectBlocked({
        request: attempt.call.requestInfo,
        attempts: attempt.call.attempts,
        history: noHistory,
        ...why
      }, true)
    )
  )
