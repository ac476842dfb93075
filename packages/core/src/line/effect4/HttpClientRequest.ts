/**
 * `effect/http/HttpClientRequest` for the Effect 4 line, with `make` taking
 * any method string, as a request's `method` is on Effect 4 (Effect 3 types
 * both as `HttpMethod`), and `bodyJsonUnsafe` under its Effect 3 name. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type { HttpMethod } from "effect/http/HttpMethod"

export * from "effect/http/HttpClientRequest"

/** @internal */
export const make = (method: string) => HttpClientRequest.make(method as HttpMethod)

/** `bodyJsonUnsafe` in its Effect 3 spelling. @internal */
export const bodyUnsafeJson: typeof HttpClientRequest.bodyJsonUnsafe = HttpClientRequest.bodyJsonUnsafe
