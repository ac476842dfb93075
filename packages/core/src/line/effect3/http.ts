/**
 * The platform's HTTP client modules on the Effect 3 line, from
 * `@effect/platform` (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
export * as Cookies from "@effect/platform/Cookies"
export * as FetchHttpClient from "@effect/platform/FetchHttpClient"
export * as Headers from "@effect/platform/Headers"
export * as HttpBody from "@effect/platform/HttpBody"
export * as HttpClient from "@effect/platform/HttpClient"
export * as HttpClientError from "@effect/platform/HttpClientError"
export * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export * as HttpClientResponse from "@effect/platform/HttpClientResponse"
export * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
export * as HttpMethod from "@effect/platform/HttpMethod"
export * as HttpTraceContext from "@effect/platform/HttpTraceContext"
export * as UrlParams from "@effect/platform/UrlParams"
