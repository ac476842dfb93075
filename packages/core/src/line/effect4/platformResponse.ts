/**
 * The base of the platform responses core (and its tests) make, on the
 * Effect 4 line: the platform's type ids, and what an Effect 4 response has
 * beyond an Effect 3 one: `url` (the request's), `upgrade` (not supported:
 * fails) and `pipe` (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import type * as Schema from "effect/Schema"

/** @internal */
export abstract class ResponseBase extends Inspectable.Class {
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  abstract readonly request: HttpClientRequest.HttpClientRequest
  get url(): string {
    return this.request.url
  }
  get upgrade(): HttpClientResponse.HttpClientResponse["upgrade"] {
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.TransportError({
          request: this.request,
          description: "this response cannot be upgraded"
        })
      })
    )
  }
  pipe() {
    // eslint-disable-next-line prefer-rest-params -- Pipeable's own way: `pipe` takes any number of functions
    return pipeArguments(this, arguments)
  }
}

/** What a response's `json` gives (Effect 4 types it as JSON). @internal */
export type JsonBody = Schema.Json
