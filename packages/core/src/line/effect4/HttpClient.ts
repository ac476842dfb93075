/**
 * `effect/http/HttpClient` for the Effect 4 line, with the tracing switches
 * in their Effect 3 spelling: `currentTracerDisabledWhen` and
 * `currentTracerPropagation` (Effect 4: the references `TracerDisabledWhen`
 * and `TracerPropagationEnabled`), `withTracerDisabledWhen` (a client
 * whose requests run with that reference set), and `make` whose function
 * gets the fiber's reads in their Effect 3 spelling (`FiberRuntime`). See docs/design.md, "Two
 * Effect lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Predicate from "effect/Predicate"

import { FiberRuntime } from "./Effect.js"

export * from "effect/http/HttpClient"

/** @internal */
export const currentTracerDisabledWhen = HttpClient.TracerDisabledWhen

/** @internal */
export const currentTracerPropagation = HttpClient.TracerPropagationEnabled

/** `self`, whose requests make no span when `predicate` holds. @internal */
export const withTracerDisabledWhen = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  predicate: Predicate.Predicate<HttpClientRequest.HttpClientRequest>
): HttpClient.HttpClient.With<E, R> =>
  HttpClient.transform(self, (effect) => Effect.provideService(effect, HttpClient.TracerDisabledWhen, predicate))

/** A client from `f`, which gets the request's fiber as a `FiberRuntime`. @internal */
export const make = (
  f: (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    signal: AbortSignal,
    fiber: FiberRuntime
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal, fiber) =>
    f(request, url, signal, new FiberRuntime(fiber as Fiber.Fiber<unknown, unknown>))
  )
