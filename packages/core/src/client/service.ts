/**
 * The client as a service: `ResilientClient`, and the `Client` tag it is
 * provided under.
 *
 * @since 0.1.0
 */
import * as Context from "#line/Context"
import * as Effect from "#line/Effect"
import { HttpClient } from "#line/http"
import type { HttpClientRequest } from "#line/http"
import * as Schema from "#line/Schema"
import * as Errors from "../Errors.js"
import type { Settings } from "./options.js"

/**
 * @since 0.1.0
 */
export const TypeId: unique symbol = Symbol.for("@steadfast/core/Client")

/**
 * @since 0.1.0
 */
export type TypeId = typeof TypeId

/**
 * The resilient client: a platform `HttpClient.With<HttpError>` plus body
 * helpers that read inside the retried unit.
 *
 * @since 0.1.0
 */
export interface ResilientClient extends HttpClient.HttpClient.With<Errors.HttpError> {
  readonly [TypeId]: TypeId
  readonly settings: Settings
  /**
   * Sends the request and decodes the JSON body with `schema` (or returns it
   * as `unknown`). A body cut off mid-way is retried like any transient
   * failure; a body that does not decode fails with `DecodeError`.
   */
  readonly json: {
    <A, I, R>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I, R>): Effect.Effect<
      A,
      Errors.HttpError,
      R
    >
    (request: HttpClientRequest.HttpClientRequest): Effect.Effect<unknown, Errors.HttpError>
  }
  /** Sends the request and reads the body as UTF-8 text. */
  readonly text: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<string, Errors.HttpError>
  /** Sends the request and reads the body as bytes. */
  readonly bytes: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<Uint8Array, Errors.HttpError>
}

/**
 * The service tag of the resilient client.
 *
 * @since 0.1.0
 */
export class Client extends Context.Tag("@steadfast/core/Client")<Client, ResilientClient>() {}
