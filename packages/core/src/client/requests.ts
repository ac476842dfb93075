/**
 * Requests sent with the client in the context, and the attempt history
 * of what an Effect sent.
 *
 * @since 0.1.0
 */
import * as Effect from "#line/Effect"
import type { HttpClientRequest, HttpClientResponse } from "#line/http"
import * as Schema from "#line/Schema"
import * as Errors from "../Errors.js"
import { historyRef } from "../internal/observe.js"
import { Client } from "./service.js"

/**
 * Sends a request with the client in the context and decodes its JSON body
 * (with `schema`, or as `unknown`).
 *
 * @since 0.1.0
 */
export const json: {
  <A, I, R>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, R>
  ): Effect.Effect<A, Errors.HttpError, R | Client>
  (request: HttpClientRequest.HttpClientRequest): Effect.Effect<unknown, Errors.HttpError, Client>
} = <A, I, R>(
  request: HttpClientRequest.HttpClientRequest,
  schema?: Schema.Schema<A, I, R>
): Effect.Effect<unknown, Errors.HttpError, R | Client> =>
  Effect.flatMap(Client, (client) => schema === undefined ? client.json(request) : client.json(request, schema))

/**
 * Sends a request with the client in the context and reads its body as text.
 *
 * @since 0.1.0
 */
export const text = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<string, Errors.HttpError, Client> =>
  Effect.flatMap(Client, (client) => client.text(request))

/**
 * Sends a request with the client in the context and reads its body as bytes.
 *
 * @since 0.1.0
 */
export const bytes = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Uint8Array, Errors.HttpError, Client> => Effect.flatMap(Client, (client) => client.bytes(request))

/**
 * Sends a request with the client in the context; the response body stays
 * under the client's body idle timeout, deadline and size limit.
 *
 * @since 0.1.0
 */
export const execute = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, Errors.HttpError, Client> =>
  Effect.flatMap(Client, (client) => client.execute(request))

/**
 * Runs `effect` and returns its value with the attempt history of the
 * steadfast requests it made: every attempt, what was decided after it
 * (re-send, retry, give up) and why, the waits, and for the attempt that
 * succeeded a record with `tag: "Success"` and its status. A request that
 * fails carries the same records in its error's `history`.
 *
 * Wrap one request to read its story; with several, their records follow
 * each other in the order the requests ended (`attempt` starts again at 1
 * for each).
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Client } from "@steadfast/core"
 *
 * const program = Effect.gen(function*() {
 *   const [user, history] = yield* Client.withHistory(Client.json(HttpClientRequest.get("https://api.example.com/users/1")))
 *   if (history.length > 1) yield* Effect.log(`took ${history.length} attempts`)
 *   return user
 * })
 * ```
 *
 * @since 0.1.0
 */
export const withHistory = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<readonly [A, ReadonlyArray<Errors.AttemptRecord>], E, R> =>
  Effect.suspend(() => {
    const records: Array<Errors.AttemptRecord> = []
    return Effect.map(Effect.locally(effect, historyRef, records), (value) => [value, records] as const)
  })
