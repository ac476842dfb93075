/**
 * The base of the platform responses core makes (a response over another
 * one, `original`), on the Effect 4 line: the platform's type ids, and what
 * an Effect 4 response has beyond an Effect 3 one (`url`, `upgrade`, `pipe`),
 * taken from `original` (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
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
