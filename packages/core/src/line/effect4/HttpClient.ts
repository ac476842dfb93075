/**
 * `effect/http/HttpClient` for the Effect 4 line, with the tracing switches
 * in their Effect 3 spelling: `currentTracerDisabledWhen` and
 * `currentTracerPropagation` (Effect 4: the references `TracerDisabledWhen`
 * and `TracerPropagationEnabled`) and `withTracerDisabledWhen` (a client
 * whose requests run with that reference set). See docs/design.md, "Two
 * Effect lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as Predicate from "effect/Predicate"

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
