/**
 * The platform's HTTP client modules on the Effect 4 line, from
 * `effect/http` (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
export * as Cookies from "effect/http/Cookies"
export * as FetchHttpClient from "effect/http/FetchHttpClient"
export * as HttpBody from "effect/http/HttpBody"

export * as HttpClientError from "effect/http/HttpClientError"
export * as HttpClientResponse from "effect/http/HttpClientResponse"
export * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
export * as HttpMethod from "effect/http/HttpMethod"
export * as HttpTraceContext from "effect/http/HttpTraceContext"
export * as UrlParams from "effect/http/UrlParams"
export * as Headers from "./Headers.js"
export * as HttpClient from "./HttpClient.js"
export * as HttpClientRequest from "./HttpClientRequest.js"
