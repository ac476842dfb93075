/**
 * What the shared source gives to build a platform HTTP client error, on
 * either Effect line: the Effect 3 shape (a `reason` string). Each line's
 * `#line/platformError` takes these with its own request and response types
 * (see docs/design.md, "Two Effect lines").
 */

/** A failure before a response: the request could not be sent, encoded, or its url parsed. */
export interface RequestErrorProps<Request> {
  readonly request: Request
  readonly reason: "Transport" | "Encode" | "InvalidUrl"
  readonly cause?: unknown
  readonly description?: string
}

/** A failure with a response: its status was refused, or its body could not be read or decoded. */
export interface ResponseErrorProps<Request, Response> {
  readonly request: Request
  readonly response: Response
  readonly reason: "StatusCode" | "Decode" | "EmptyBody"
  readonly cause?: unknown
  readonly description?: string
}

/** A platform error read in the Effect 3 shape, on either line (`#line/platformReason`'s `platformFields`). */
export interface PlatformFields {
  readonly kind: "RequestError" | "ResponseError"
  readonly reason: string
  readonly request: unknown
  readonly response: unknown
  readonly cause: unknown
  readonly description: string | undefined
}
