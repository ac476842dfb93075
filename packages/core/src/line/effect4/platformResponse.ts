/**
 * The bases of hand-written platform responses on the Effect 4 line: a
 * response over another one (`ResponseBase`, core's), and one made from
 * scratch (`PlatformResponse`: the node transport's, the simulated
 * network's). Both have the platform's type ids and what an Effect 4
 * response has beyond an Effect 3 one (`url`, `upgrade`, `pipe`): taken from
 * `original`, or from the request (`upgrade` refused: a steadfast response
 * does not hand over its connection). See docs/design.md, "Two Effect lines".
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
  constructor(readonly original: HttpClientResponse.HttpClientResponse) {
    super()
  }
  get url(): string {
    return this.original.url
  }
  get upgrade(): HttpClientResponse.HttpClientResponse["upgrade"] {
    return this.original.upgrade
  }
  pipe() {
    // eslint-disable-next-line prefer-rest-params -- Pipeable's own way: `pipe` takes any number of functions
    return pipeArguments(this, arguments)
  }
}

/** What a response's `json` gives (Effect 4 types it as JSON). @internal */
export type JsonBody = Schema.Json

/** The base of a response made from scratch (the node transport's, the simulated network's). @internal */
export abstract class PlatformResponse extends Inspectable.Class {
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  abstract readonly request: HttpClientRequest.HttpClientRequest
  get url(): string {
    return this.request.url
  }
  get upgrade(): HttpClientResponse.HttpClientResponse["upgrade"] {
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({
          request: this.request,
          response: this as unknown as HttpClientResponse.HttpClientResponse,
          description: "a steadfast response does not hand over its connection for an HTTP upgrade"
        })
      })
    )
  }
  pipe() {
    // eslint-disable-next-line prefer-rest-params -- Pipeable's own way: `pipe` takes any number of functions
    return pipeArguments(this, arguments)
  }
}
