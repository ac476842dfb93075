/**
 * @effect/platform's errors without secrets. A `RequestError` or
 * `ResponseError` holds the whole request (headers, the url with its user
 * info and token parameters, the body) and the response (its `set-cookie`),
 * and its message quotes the url. Errors that steadfast hands to users —
 * body failures of `execute`'s response, and every failure of the platform
 * `HttpClient` the node layer provides — go through {@link safeError}: the
 * request is replaced by one with a redacted url and headers and no body,
 * the response by a view with redacted headers, the cause by a summary.
 *
 * @internal
 */
import * as Context from "#line/Context"
import * as Effect from "#line/Effect"
import * as FiberRef from "#line/FiberRef"
import { Cookies, HttpClient, HttpClientError, HttpClientRequest, HttpTraceContext } from "#line/http"
import type { HttpClientResponse } from "#line/http"
import { requestError, responseError } from "#line/platformError"
import { platformFields } from "#line/platformReason"
import { ResponseBase } from "#line/platformResponse"
import * as Stream from "#line/Stream"
import { makeUrl } from "#line/urlParams"
import type * as Tracer from "effect/Tracer"
import { safeCause } from "./cause.js"
import { REDACTED, redactFreeText, redactHeaders, redactUrl } from "./redact.js"

const SafeBrand = Symbol.for("@steadfast/core/SafePlatformError")

/** The full url of a platform request (its url params and hash included), redacted. */
const fullUrl = (request: HttpClientRequest.HttpClientRequest): string => {
  return redactUrl(makeUrl(request.url, request.urlParams, request.hash) ?? request.url)
}

/**
 * A request safe to keep in an error: same method, redacted url (params
 * folded in) and headers, no body.
 *
 * @internal
 */
export const safeRequest = (
  request: HttpClientRequest.HttpClientRequest,
  url?: string
): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(request.method)(url ?? fullUrl(request), {
    headers: requestHeaders(request.headers)
  })

/** Request headers whose values say nothing secret; every other value is redacted in an error. */
const HARMLESS = new Set([
  "accept",
  "accept-encoding",
  "accept-language",
  "cache-control",
  "connection",
  "content-encoding",
  "content-length",
  "content-type",
  "host",
  "idempotency-key",
  "user-agent",
  "traceparent",
  "tracestate",
  "b3"
])

/**
 * The request's own headers, as an error keeps them: the values of all
 * but a few harmless ones are redacted, since a client may carry secrets
 * under any name (`x-upstream-auth`…).
 */
const requestHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) out[name] = HARMLESS.has(name.toLowerCase()) ? headers[name]! : REDACTED
  return out
}

/**
 * A view of a response safe to keep in an error: status and redacted
 * headers; its `request` is `request`; no cookies. Its body is the
 * response's (a failed read fails again).
 *
 * @internal
 */
export const safeResponseView = (
  response: HttpClientResponse.HttpClientResponse,
  request: HttpClientRequest.HttpClientRequest
): HttpClientResponse.HttpClientResponse => {
  const headers = redactHeaders(response.headers)
  return Object.create(response, {
    request: { value: request },
    headers: { value: headers },
    cookies: { value: Cookies.empty },
    toJSON: {
      value: () => ({ _id: "@effect/platform/HttpClientResponse", status: response.status, headers })
    }
  })
}

/**
 * A platform error without secrets (the same class and reason). Anything
 * else is returned as it is.
 *
 * @internal
 */
export const safeError = <E>(error: E): E => {
  const fields = HttpClientError.isHttpClientError(error) ? platformFields(error) : undefined
  if (fields === undefined || (error as { [SafeBrand]?: boolean })[SafeBrand] === true) return error
  const request = safeRequest(fields.request as HttpClientRequest.HttpClientRequest)
  const description = fields.description === undefined ? {} : { description: redactFreeText(fields.description) }
  const out = fields.kind === "RequestError"
    ? requestError({
      request,
      reason: fields.reason as "Transport" | "Encode" | "InvalidUrl",
      cause: safeCause(fields.cause),
      ...description
    })
    : responseError({
      request,
      response: safeResponseView(fields.response as HttpClientResponse.HttpClientResponse, request),
      reason: fields.reason as "StatusCode" | "Decode" | "EmptyBody",
      cause: safeCause(fields.cause),
      ...description
    })
  Object.defineProperty(out, SafeBrand, { value: true })
  return out as E
}

/**
 * A response whose body failures are safe platform errors; everything else
 * is the original's.
 */
class SafeFailuresResponse extends ResponseBase implements HttpClientResponse.HttpClientResponse {
  constructor(readonly original: HttpClientResponse.HttpClientResponse) {
    super()
  }
  get request() {
    return this.original.request
  }
  get status() {
    return this.original.status
  }
  get headers() {
    return this.original.headers
  }
  get cookies() {
    return this.original.cookies
  }
  get remoteAddress() {
    return this.original.remoteAddress
  }
  get formData() {
    return Effect.mapError(this.original.formData, safeError)
  }
  get text() {
    return Effect.mapError(this.original.text, safeError)
  }
  get json() {
    return Effect.mapError(this.original.json, safeError)
  }
  get urlParamsBody() {
    return Effect.mapError(this.original.urlParamsBody, safeError)
  }
  get arrayBuffer() {
    return Effect.mapError(this.original.arrayBuffer, safeError)
  }
  get stream() {
    return Stream.mapError(this.original.stream, safeError)
  }
  toJSON(): unknown {
    return safeResponseView(this.original, safeRequest(this.original.request)).toJSON()
  }
}

/**
 * `send` whose failures, and the body failures of its response, are safe
 * platform errors.
 *
 * @internal
 */
export const safeFailures = <R>(
  send: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R> =>
  Effect.mapBoth(send, { onFailure: safeError, onSuccess: (response) => new SafeFailuresResponse(response) })

/** The tracing predicate a user set (`HttpClient.withTracerDisabledWhen`), kept while ours is in force. */
const userTracerDisabledWhen = FiberRef.make<(request: HttpClientRequest.HttpClientRequest) => boolean>(
  "@steadfast/core/platform/userTracerDisabledWhen",
  () => false
)

const CLIENT_SPAN: Tracer.SpanOptions = { kind: "client", captureStackTrace: false }

/**
 * A platform `HttpClient` over `send` that keeps no secret: its failures
 * go through {@link safeFailures}, and its span (the platform's own span,
 * `http.client METHOD`, with the same attributes) carries a redacted
 * `url.full` and `url.query` and redacted header values — the platform's
 * span would carry the url's user info and token parameters as they are.
 *
 * @internal
 */
export const makeHttpClient = (
  send: (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    signal: AbortSignal
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
): HttpClient.HttpClient => {
  const inner = HttpClient.make((request, url, signal, fiber) => {
    if (!fiber.getFiberRef(FiberRef.currentTracerEnabled) || fiber.getFiberRef(userTracerDisabledWhen)(request)) {
      return safeFailures(send(request, url, signal))
    }
    const name = Context.get(fiber.currentContext, HttpClient.SpanNameGenerator)(request)
    return Effect.useSpan(name, CLIENT_SPAN, (span) => {
      span.attribute("http.request.method", request.method)
      span.attribute("server.address", url.origin)
      if (url.port !== "") span.attribute("server.port", Number(url.port))
      const full = redactUrl(url)
      span.attribute("url.full", full)
      span.attribute("url.path", url.pathname)
      span.attribute("url.scheme", url.protocol.slice(0, -1))
      const query = full.indexOf("?")
      if (url.search !== "") span.attribute("url.query", full.slice(query + 1).split("#")[0]!)
      const headers = requestHeaders(request.headers)
      for (const key in headers) span.attribute(`http.request.header.${key}`, headers[key]!)
      const sent = fiber.getFiberRef(HttpClient.currentTracerPropagation)
        ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span))
        : request
      return Effect.map(Effect.withParentSpan(safeFailures(send(sent, url, signal)), span), (response) => {
        span.attribute("http.response.status_code", response.status)
        const redacted = redactHeaders(response.headers)
        for (const key in redacted) span.attribute(`http.response.header.${key}`, redacted[key]!)
        return response
      })
    })
  })
  // the platform's own span is replaced by ours; the user's predicate still decides
  return HttpClient.transform(
    inner,
    (effect) =>
      Effect.flatMap(FiberRef.get(HttpClient.currentTracerDisabledWhen), (userPredicate) =>
        effect.pipe(
          Effect.locally(userTracerDisabledWhen, userPredicate),
          Effect.locally(HttpClient.currentTracerDisabledWhen, () => true)
        ))
  )
}
