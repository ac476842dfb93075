/**
 * The base of the platform responses core (and its tests) make, on the
 * Effect 3 line: the platform's type ids (see docs/design.md, "Two Effect
 * lines").
 *
 * @internal
 */
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Inspectable from "effect/Inspectable"

/** @internal */
export abstract class ResponseBase extends Inspectable.Class {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
}

/** What a response's `json` gives. @internal */
export type JsonBody = unknown
