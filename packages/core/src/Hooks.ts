/**
 * Per-attempt hooks: an Effect run before each attempt that may change the
 * request it sends (refresh a token after a 401, sign it again, add a
 * per-attempt id), and one run after each attempt's outcome (observe,
 * record). The decisions stay in core: whether to retry, `Retry-After`, the
 * budget and the breaker are not the hooks' business.
 *
 * `beforeAttempt` runs after the policies admitted the attempt, just before
 * it is sent (a re-send and each retry included). The request it returns is
 * sent with its headers and body; its method and url are kept as the
 * client prepared them (they were checked then). Its headers are checked
 * like the request's own: a name that is not a token, or a value with CR,
 * LF or NUL, fails the attempt with `InvalidRequest` (nothing is sent). A
 * failure of the hook ends the request with that error.
 *
 * `afterAttempt` runs after each attempt, before the client decides what to
 * do next: with the error, or, for the attempt that succeeded, with its
 * status.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Client, type Hooks } from "@steadfast/core"
 *
 * let token = "expired"
 * const hooks: Hooks.Hooks = {
 *   // after a 401, get a new token; every attempt carries the current one and its number
 *   beforeAttempt: ({ attempt, previous, request }) =>
 *     Effect.sync(() => {
 *       if (previous?._tag === "StatusError" && previous.status === 401) token = "fresh"
 *       return request.pipe(
 *         HttpClientRequest.bearerToken(token),
 *         HttpClientRequest.setHeader("x-attempt", String(attempt))
 *       )
 *     }),
 *   afterAttempt: ({ attempt, error, status }) => Effect.logDebug(`attempt ${attempt}: ${error?._tag ?? status}`)
 * }
 * const layer = Client.layer({ hooks, retry: { statuses: [401, 503] } })
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "#line/Effect"
import type { HttpClientRequest } from "#line/http"
import type * as Errors from "./Errors.js"

/**
 * What `beforeAttempt` is told.
 *
 * @since 0.1.0
 */
export interface BeforeAttempt {
  /** The attempt about to be sent, from 1. */
  readonly attempt: number
  /** The request as it would be sent. */
  readonly request: HttpClientRequest.HttpClientRequest
  /** The error of the attempt before, if any. */
  readonly previous: Errors.HttpError | undefined
}

/**
 * What `afterAttempt` is told.
 *
 * @since 0.1.0
 */
export interface AfterAttempt {
  readonly attempt: number
  /** The request the attempt sent (as `beforeAttempt` returned it). */
  readonly request: HttpClientRequest.HttpClientRequest
  /** `undefined` when the attempt succeeded. */
  readonly error: Errors.HttpError | undefined
  /** The response status, when there was one. */
  readonly status: number | undefined
}

/**
 * The hooks of a client (`Client.Options.hooks`).
 *
 * @since 0.1.0
 */
export interface Hooks {
  readonly beforeAttempt?:
    | ((info: BeforeAttempt) => Effect.Effect<HttpClientRequest.HttpClientRequest, Errors.HttpError>)
    | undefined
  readonly afterAttempt?: ((info: AfterAttempt) => Effect.Effect<void>) | undefined
}
