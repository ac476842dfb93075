/**
 * The platform's HTTP client errors on the Effect 3 line: `RequestError` and
 * `ResponseError` from `@effect/platform`, each with a `reason` string. The
 * shared source builds them through `requestError` / `responseError` and
 * reads them through `platformReason` (see docs/design.md, "Two Effect
 * lines").
 *
 * @internal
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"

import type { RequestErrorProps, ResponseErrorProps } from "../../internal/platformErrorProps.js"

/** @internal */
export type RequestError = HttpClientError.RequestError

/** @internal */
export type ResponseError = HttpClientError.ResponseError

/** @internal */
export const requestError = (
  props: RequestErrorProps<HttpClientRequest.HttpClientRequest>
): RequestError => new HttpClientError.RequestError(props)

/** @internal */
export const responseError = (
  props: ResponseErrorProps<HttpClientRequest.HttpClientRequest, HttpClientResponse.HttpClientResponse>
): ResponseError => new HttpClientError.ResponseError(props)
