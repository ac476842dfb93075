/**
 * What a hand-written platform `HttpClientResponse` (a transport's, the
 * testkit's, core's wrappers) needs on the Effect 4 line beyond its own
 * status, headers and body: the two type ids, `url`, `upgrade` (refused: a
 * steadfast response does not hand over its connection), `pipe`, and the
 * error type of its body reads (Effect 4's one `HttpClientError`). Same names
 * as the Effect 3 line's seam. See docs/design.md, "Two Effect lines".
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
import type * as Socket from "effect/socket/Socket"

/** The error a response's body reads fail with. @internal */
export type ResponseError = HttpClientError.HttpClientError

/** What `response.json` succeeds with. @internal */
export type Json = Schema.Json

/** The base of a hand-written platform response: `Inspectable` (via `toJSON`) with the type ids, `url`, `upgrade`, `pipe`. @internal */
export abstract class PlatformResponse extends Inspectable.Class {
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  abstract readonly request: HttpClientRequest.HttpClientRequest

  get url(): string {
    return this.request.url
  }

  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
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
    // Effect's own pipe: `pipeArguments` reads the call's arguments object
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
}
