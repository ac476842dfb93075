/**
 * The bases of hand-written platform responses on the Effect 3 line: a
 * response over another one (`ResponseBase`, core's), and one made from
 * scratch (`PlatformResponse`: the node transport's, the simulated
 * network's). Both are the platform's type ids here; Effect 4's seam adds
 * `url`, `upgrade` and `pipe` (see docs/design.md, "Two Effect lines").
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
  constructor(readonly original: HttpClientResponse.HttpClientResponse) {
    super()
  }
}

/** What a response's `json` gives. @internal */
export type JsonBody = unknown

/** The base of a response made from scratch (the node transport's, the simulated network's). @internal */
export abstract class PlatformResponse extends Inspectable.Class {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
}
