/**
 * What a hand-written platform `HttpClientResponse` (a transport's, the
 * testkit's, core's wrappers) needs on the Effect 3 line beyond its own
 * status, headers and body: the two type ids, and the error type of its
 * body reads. Effect 4's interface asks for more (`url`, `upgrade`, `pipe`);
 * its seam adds them. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Inspectable from "effect/Inspectable"

/** The error a response's body reads fail with. @internal */
export type ResponseError = HttpClientError.ResponseError

/** What `response.json` succeeds with. @internal */
export type Json = unknown

/** The base of a hand-written platform response: `Inspectable` (via `toJSON`) with the type ids. @internal */
export abstract class PlatformResponse extends Inspectable.Class {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
}
