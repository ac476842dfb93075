/**
 * The platform's HTTP client errors on the Effect 4 line: one
 * `HttpClientError` from `effect/http` whose `reason` is a tagged error
 * (`TransportError`, `DecodeError`, ...). `requestError` / `responseError`
 * take the Effect 3 shape (a `reason` string) the shared source is written
 * in (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"

import type { RequestErrorProps, ResponseErrorProps } from "../../internal/platformErrorProps.js"

/** @internal */
export type RequestError = HttpClientError.HttpClientError

/** @internal */
export type ResponseError = HttpClientError.HttpClientError

const optional = (props: { readonly cause?: unknown; readonly description?: string }) => ({
  ...(props.cause === undefined ? {} : { cause: props.cause }),
  ...(props.description === undefined ? {} : { description: props.description })
})

/** @internal */
export const requestError = (
  props: RequestErrorProps<HttpClientRequest.HttpClientRequest>
): RequestError => {
  const fields = { request: props.request, ...optional(props) }
  const reason = props.reason === "Transport"
    ? new HttpClientError.TransportError(fields)
    : props.reason === "Encode"
    ? new HttpClientError.EncodeError(fields)
    : new HttpClientError.InvalidUrlError(fields)
  return new HttpClientError.HttpClientError({ reason })
}

/** @internal */
export const responseError = (
  props: ResponseErrorProps<HttpClientRequest.HttpClientRequest, HttpClientResponse.HttpClientResponse>
): ResponseError => {
  const fields = { request: props.request, response: props.response, ...optional(props) }
  const reason = props.reason === "StatusCode"
    ? new HttpClientError.StatusCodeError(fields)
    : props.reason === "Decode"
    ? new HttpClientError.DecodeError(fields)
    : new HttpClientError.EmptyBodyError(fields)
  return new HttpClientError.HttpClientError({ reason })
}
