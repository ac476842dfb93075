/**
 * The platform's HTTP client modules on the Effect 3 line, from
 * `@effect/platform` (see docs/design.md, "Two Effect lines").
 *
 * @internal
 */
export * as Headers from "@effect/platform/Headers"
export * as HttpBody from "@effect/platform/HttpBody"
export * as HttpClient from "@effect/platform/HttpClient"
export * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export * as HttpClientResponse from "@effect/platform/HttpClientResponse"
