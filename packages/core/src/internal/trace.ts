/**
 * Spans and trace context of a request, after the OpenTelemetry HTTP client
 * semantic conventions (stable): a span for the call, and a child span of
 * kind `client` for every request that goes on the wire (each attempt, each
 * redirect hop), named after the method, with `http.request.method`,
 * `server.address`, `server.port`, `url.full` (redacted), `url.scheme`,
 * `http.response.status_code`, `error.type` and
 * `http.request.resend_count`. The trace context headers of each send name
 * its own span. The duration of each send goes to the
 * `http.client.request.duration` histogram.
 *
 * Cheap when off: with the tracer disabled, a send costs a clock read and
 * one small record (for the histogram); with metrics off too, nothing else.
 *
 * @internal
 */
import * as Context from "#line/Context"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as FiberId from "#line/FiberId"
import * as FiberRef from "#line/FiberRef"
import { HttpClient, HttpClientRequest } from "#line/http"
import * as MetricLabel from "#line/MetricLabel"
import {
  type FiberAccess,
  fiberSpanLinks,
  forEachSpanAnnotation,
  makeSpan,
  setParentSpan,
  spanAnnotations
} from "#line/tracer"
import { currentTimeNanos, updateMetric } from "#line/unsafe"
import * as Clock from "effect/Clock"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import type * as Errors from "../Errors.js"
import * as Metrics from "../Metrics.js"
import type { Call } from "./callState.js"
import type { Labels } from "./labelSets.js"
import { forSpan } from "./propagation.js"
import { redactUrl } from "./redact.js"

/** One request on the wire: an attempt, or one redirect hop of it. @internal */
export class Sending {
  status: number | undefined = undefined
  span: Tracer.Span | undefined = undefined
  ended = false
  constructor(readonly url: URL, readonly startedAt: number) {}
}

const KNOWN_METHODS = new Set(["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE"])

/** `http.request.method`: a known method, or `_OTHER` (the original goes to `http.request.method_original`). */
const methodOf = (method: string): string => KNOWN_METHODS.has(method) ? method : "_OTHER"

/** The span name: the method, or `HTTP` for an unknown one. @internal */
export const spanName = (method: string): string => KNOWN_METHODS.has(method) ? method : "HTTP"

const portOf = (url: URL): number => url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port)

/** `server.address`: the host without the brackets of an IPv6 literal. */
const hostOf = (url: URL): string => {
  const host = url.hostname
  return host.startsWith("[") ? host.slice(1, -1) : host
}

/** `url` redacted: the call's own url is redacted once per call (its `requestInfo`, which errors show too). */
const redactedOf = (call: Call, url: URL): string => url === call.url ? call.requestInfo.url : redactUrl(url)

const setRequestAttributes = (span: Tracer.Span, method: string, url: URL, redacted: string): void => {
  const known = methodOf(method)
  span.attribute("http.request.method", known)
  if (known === "_OTHER") span.attribute("http.request.method_original", method)
  span.attribute("server.address", hostOf(url))
  span.attribute("server.port", portOf(url))
  span.attribute("url.full", redacted)
  span.attribute("url.scheme", url.protocol.slice(0, -1))
}

/** `error.type`: the status code for a failure status (as the conventions say), else the `_tag`. @internal */
export const errorType = (error: Errors.HttpError): string =>
  error._tag === "StatusError" ? String(error.status) : error._tag

/**
 * Runs the request's effect with its call span (when spans are on and the
 * tracer is enabled), and settles whether its sends carry trace context.
 *
 * @internal
 */
export const traced = <A, R>(
  call: Call,
  fiber: {
    readonly getFiberRef: <X>(ref: FiberRef.FiberRef<X>) => X
    readonly currentTracer: Tracer.Tracer
    readonly currentSpan: Tracer.AnySpan | undefined
  },
  effect: Effect.Effect<A, Errors.HttpError, R>
): Effect.Effect<A, Errors.HttpError, R> => {
  if (!fiber.getFiberRef(FiberRef.currentTracerEnabled)) return effect
  const cfg = call.cfg
  call.propagate = cfg.propagation.formats.length > 0 && fiber.getFiberRef(HttpClient.currentTracerPropagation)
  if (!cfg.spans) {
    call.parentSpan = fiber.currentSpan
    return effect
  }
  call.tracer = fiber.currentTracer
  const method = call.request.method
  return Effect.useSpan(spanName(method), CALL_SPAN, (span) => {
    setRequestAttributes(span, method, call.url, call.requestInfo.url)
    call.span = span
    call.parentSpan = span
    return Effect.withParentSpan(effect, span)
  })
}

/**
 * What `run` uses of the fiber beyond `Fiber.RuntimeFiber`'s public type:
 * Effect 3's fiber runtime has both members; a fiber without them takes the
 * general path (`traced`, `Effect.uninterruptibleMask`).
 *
 * @internal
 */
export type { FiberAccess }

/**
 * Effect 3's fiber keeps its refs in `_fiberRefs` (read as it is: its
 * `getFiberRefs()` copies them all first) and can put a set of them back
 * whole. A fiber without both has `close` set the context again.
 */
interface RefsAccess {
  readonly _fiberRefs?: unknown
  readonly setFiberRefs?: (refs: unknown) => void
}

/** The fiber, when it offers what `open` and `close` use. @internal */
export const access = (fiber: object): FiberAccess | undefined => {
  const f = fiber as Partial<FiberAccess>
  return typeof f.setFiberRef === "function" && typeof f.currentRuntimeFlags === "number"
    ? f as FiberAccess
    : undefined
}

const CALL_SPAN: Tracer.SpanOptions = { kind: "internal", captureStackTrace: false }

/** The parent a new span gets: `Effect.useSpan`'s rule (a span that disables propagation is skipped). */
const parentOf = (span: Option.Option<Tracer.AnySpan>): Option.Option<Tracer.AnySpan> => {
  if (span._tag === "None" || !Context.get(spanAnnotations(span.value), Tracer.DisablePropagation)) return span
  return span.value._tag === "Span" ? parentOf(span.value.parent) : Option.none()
}

/**
 * How the call span ends, and the context it replaced: `before` and
 * `inside` are the fiber's refs before and after `open` set the context, so
 * that `close` puts `before` back as it is when nothing else changed them in
 * between (setting a fiber ref copies every ref of the fiber).
 *
 * @internal
 */
export class CallSpan {
  constructor(
    readonly span: Tracer.Span,
    readonly context: Context.Context<never>,
    readonly timing: boolean,
    readonly clock: Clock.Clock,
    readonly before: unknown,
    readonly inside: unknown
  ) {}
}

/**
 * What {@link traced} does, in place, on a fiber that offers
 * {@link FiberAccess}: the call span is made as `Effect.useSpan` makes it
 * (parent, links, annotations, timing of the fiber) and becomes the parent
 * span of everything the request runs (`Effect.withParentSpan`); settles
 * whether its sends carry trace context. {@link close} ends it. Saves
 * `useSpan`'s and `withParentSpan`'s two uninterruptible regions (the
 * request's own region in call.ts guarantees `close`).
 *
 * @internal
 */
export const open = (call: Call, fiber: FiberAccess): void => {
  if (!fiber.getFiberRef(FiberRef.currentTracerEnabled)) return
  const cfg = call.cfg
  call.propagate = cfg.propagation.formats.length > 0 && fiber.getFiberRef(HttpClient.currentTracerPropagation)
  if (!cfg.spans) {
    call.parentSpan = fiber.currentSpan
    return
  }
  const tracer = fiber.currentTracer
  call.tracer = tracer
  const method = call.request.method
  const context = fiber.getFiberRef(FiberRef.currentContext)
  const timing = fiber.getFiberRef(FiberRef.currentTracerTimingEnabled)
  const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
  const span = makeSpan(
    tracer,
    spanName(method),
    parentOf(Context.getOption(context, Tracer.ParentSpan)),
    Context.empty(),
    fiberSpanLinks(fiber),
    timing ? currentTimeNanos(clock) : 0n,
    "internal",
    CALL_SPAN
  )
  forEachSpanAnnotation(fiber, (value, key) => span.attribute(key, value))
  setRequestAttributes(span, method, call.url, call.requestInfo.url)
  call.span = span
  call.parentSpan = span
  const refs = fiber as RefsAccess
  const before = typeof refs.setFiberRefs === "function" ? refs._fiberRefs : undefined
  if (!setParentSpan(fiber, context, span)) {
    fiber.setFiberRef(FiberRef.currentContext, Context.add(context, Tracer.ParentSpan, span))
  }
  call.callSpan = new CallSpan(
    span,
    context,
    timing,
    clock,
    before,
    before === undefined ? undefined : refs._fiberRefs
  )
}

/** The request is over: its context is restored and its call span ends with `exit` (see {@link open}). @internal */
export const close = (call: Call, fiber: FiberAccess, exit: Exit.Exit<unknown, unknown>): void => {
  const opened = call.callSpan
  if (opened === undefined) return
  call.callSpan = undefined
  const refs = fiber as RefsAccess
  if (opened.inside !== undefined && refs._fiberRefs === opened.inside) refs.setFiberRefs!(opened.before)
  else fiber.setFiberRef(FiberRef.currentContext, opened.context)
  if (opened.span.status._tag === "Ended") return
  opened.span.end(opened.timing ? currentTimeNanos(opened.clock) : 0n, exit)
}

/**
 * A request goes on the wire to `url` at `now` (the clock's time, read by
 * the caller: a send starts as its attempt or hop does): its span starts
 * (the previous hop's ends), and the request gets the trace context headers
 * when they go there.
 *
 * @internal
 */
export const sending = (
  call: Call,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  now: number
): HttpClientRequest.HttpClientRequest => {
  const previous = call.sending
  if (previous !== undefined && !previous.ended) ended(call, previous, undefined, now)
  const resends = call.sends++
  const sending = new Sending(url, now)
  call.sending = sending
  let parent = call.parentSpan
  const tracer = call.tracer
  if (tracer !== undefined && parent !== undefined) {
    const method = request.method
    const span = makeSpan(
      tracer,
      spanName(method),
      Option.some(parent),
      Context.empty(),
      [],
      currentTimeNanos(call.cfg.clock),
      "client",
      undefined
    )
    setRequestAttributes(span, method, url, redactedOf(call, url))
    if (resends > 0) span.attribute("http.request.resend_count", resends)
    sending.span = span
    parent = span
  }
  if (!call.propagate || parent === undefined) return request
  const allow = call.cfg.propagation.allow
  if (allow !== undefined && !allow(url)) return request
  const headers = forSpan(parent, call.cfg.propagation.formats, request.headers)
  if (headers === undefined) return request
  // one header at a time: `setHeaders` lists and lower-cases its input first (ours is lower case)
  let sent = request
  for (const name in headers) sent = HttpClientRequest.setHeader(sent, name, headers[name]!)
  return sent
}

/** The response headers of the send in flight arrived. @internal */
export const responded = (call: Call, status: number): void => {
  const sending = call.sending
  if (sending !== undefined) sending.status = status
  if (call.span !== undefined) call.span.attribute("http.response.status_code", status)
}

/** The histogram's attributes of one combination (see `labelSets.ts`). */
const makeLabels = (
  method: string,
  url: URL,
  status: number | undefined,
  error: string | undefined
): Labels => {
  const made = [
    MetricLabel.make("http.request.method", method),
    MetricLabel.make("server.address", hostOf(url)),
    MetricLabel.make("server.port", String(portOf(url))),
    MetricLabel.make("url.scheme", url.protocol.slice(0, -1))
  ]
  if (status !== undefined) made.push(MetricLabel.make("http.response.status_code", String(status)))
  if (error !== undefined) made.push(MetricLabel.make("error.type", error))
  return made
}

/** The histogram's attributes, one array per combination (the metric caches its hook by the array). */
const labels = (call: Call, sending: Sending, error: string | undefined): Labels => {
  const url = sending.url
  // the origin is scheme://host[:port], as `${protocol}//${host}` for http(s); the call's is read once
  const origin = url === call.url ? call.origin : url.origin
  return call.cfg.durationLabels.get(methodOf(call.request.method), origin, sending.status, error, url, makeLabels)
}

/**
 * A send is over: with `error` when its attempt failed, `"interrupted"` when
 * the caller gave up on it, `undefined` when it got its response. Records
 * its duration and ends its span.
 *
 * @internal
 */
export const ended = (
  call: Call,
  sending: Sending,
  error: Errors.HttpError | "interrupted" | undefined,
  now: number
): void => {
  sending.ended = true
  const type = error === undefined || error === "interrupted" ? undefined : errorType(error)
  if (call.cfg.metrics && error !== "interrupted") {
    updateMetric(Metrics.requestDuration, (now - sending.startedAt) / 1000, labels(call, sending, type))
  }
  const span = sending.span
  if (span === undefined) return
  if (sending.status !== undefined) span.attribute("http.response.status_code", sending.status)
  if (type !== undefined) span.attribute("error.type", type)
  span.end(
    currentTimeNanos(call.cfg.clock),
    error === undefined ? Exit.void : error === "interrupted" ? Exit.interrupt(FiberId.none) : Exit.fail(error)
  )
}
