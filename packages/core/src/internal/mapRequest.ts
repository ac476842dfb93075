/**
 * A client's request mapping (`Client.mapRequest`, `Client.mapRequestEffect`,
 * the `mapRequest` option): functions every request goes through, in order,
 * before anything else looks at it (url resolution, default headers,
 * credentials). What they set is the request's own.
 *
 * @internal
 */
import * as Effect from "#line/Effect"
import type { HttpClientRequest } from "#line/http"
import * as Errors from "../Errors.js"
import { redactUrl } from "./redact.js"

/** One mapping: a new request, or an Effect of one. @internal */
export type Mapper = (
  request: HttpClientRequest.HttpClientRequest
) => HttpClientRequest.HttpClientRequest | Effect.Effect<HttpClientRequest.HttpClientRequest, unknown>

/** `first`, then `second`. @internal */
export const andThen = (first: Mapper | undefined, second: Mapper): Mapper =>
  first === undefined ? second : (request) => {
    const mapped = first(request)
    return Effect.isEffect(mapped) ? Effect.flatMap(mapped, (r) => lift(second(r))) : second(mapped)
  }

const lift = (
  value: HttpClientRequest.HttpClientRequest | Effect.Effect<HttpClientRequest.HttpClientRequest, unknown>
): Effect.Effect<HttpClientRequest.HttpClientRequest, unknown> => Effect.isEffect(value) ? value : Effect.succeed(value)

/** What to call a failure in a message: its `_tag`, its `name`, or its type. @internal */
export const nameOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const tag = (error as { readonly _tag?: unknown })._tag
    if (typeof tag === "string") return tag
    const name = (error as { readonly name?: unknown }).name
    if (typeof name === "string") return name
  }
  return typeof error
}

/**
 * Runs `request` through `map`, then `send`. A failure of a mapping Effect
 * is `InvalidRequest` (its `cause` the failure, made safe); nothing is sent.
 *
 * @internal
 */
export const mapThen = <A, R>(
  map: Mapper,
  request: HttpClientRequest.HttpClientRequest,
  send: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<A, Errors.HttpError, R>
): Effect.Effect<A, Errors.HttpError, R> =>
  Effect.suspend(() => {
    const mapped = map(request)
    if (!Effect.isEffect(mapped)) return send(mapped)
    return Effect.matchEffect(mapped, {
      onFailure: (error) =>
        Effect.fail(
          new Errors.InvalidRequest({
            request: { method: request.method, url: redactUrl(request.url) },
            attempts: 0,
            history: [],
            reason: `the client's mapRequestEffect function failed with ${nameOf(error)}`,
            hint: "Nothing was sent and it is not retried; the failure is this error's `cause`.",
            cause: error
          }, true)
        ),
      onSuccess: send
    })
  })
