/**
 * The platform's HTTP client modules on the Effect 4 line, from
 * `effect/http` (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
export * as HttpBody from "effect/http/HttpBody"
export * as HttpClient from "effect/http/HttpClient"
export * as HttpClientResponse from "effect/http/HttpClientResponse"
export * as Headers from "./Headers.js"
export * as HttpClientRequest from "./HttpClientRequest.js"
