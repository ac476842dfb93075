/**
 * Trace context headers (W3C Trace Context, B3 single header) and the
 * rules for where they go. Pure: no Effect runtime.
 *
 * @internal
 */
import * as Context from "#line/Context"
import { spanAnnotations } from "#line/tracer"
import type * as Tracer from "effect/Tracer"
import type * as Propagation from "../Propagation.js"

/**
 * The origin of the page (or worker) the code runs in, when it runs in a
 * browser: there, a header that is not CORS-safelisted makes a cross-origin
 * request preflighted. `undefined` elsewhere (Node, Deno, Bun: no CORS).
 * A page without an origin (`file:`) gives `"null"`, which no url matches.
 *
 * @internal
 */
export const pageOrigin = (global: unknown): string | undefined => {
  const g = global as {
    readonly document?: unknown
    readonly WorkerGlobalScope?: unknown
    readonly location?: { readonly origin?: unknown } | undefined
  }
  if (typeof g.document !== "object" && typeof g.WorkerGlobalScope !== "function") return undefined
  const origin = g.location?.origin
  return typeof origin === "string" ? origin : "null"
}

const DEFAULT_FORMATS: ReadonlyArray<Propagation.Format> = ["w3c"]
const OFF: Propagation.Policy = { formats: [], allow: undefined }

/**
 * Resolves options for a page at `page` (`undefined`: not in a browser).
 *
 * @internal
 */
export const make = (input: Propagation.Input | boolean | undefined, page: string | undefined): Propagation.Policy => {
  if (input === false) return OFF
  const options = input === true || input === undefined ? {} : input
  const formats = options.formats === undefined ? DEFAULT_FORMATS : [...new Set(options.formats)]
  const origins = options.origins
  if (origins === "all" || (origins === undefined && page === undefined)) return { formats, allow: undefined }
  if (typeof origins === "function") {
    return { formats, allow: page === undefined ? origins : (url) => url.origin === page || origins(url) }
  }
  const allowed = new Set((origins ?? []).map((origin) => new URL(origin).origin))
  if (page !== undefined) allowed.add(page)
  return { formats, allow: (url) => allowed.has(url.origin) }
}

/**
 * A W3C `traceparent` of valid ids: lower-case hex of the right lengths, not
 * all zeros. One test of the value built, not one per id: an id made one
 * character at a time (Effect's own spans) is a chain of string pieces that
 * each test copies into one flat string first; this copies them once, and
 * the value is then flat for the transport's own check and write.
 */
const TRACEPARENT = /^00-(?!0{32}-)[0-9a-f]{32}-(?!0{16}-)[0-9a-f]{16}-0[01]$/

/**
 * The headers for a span in `formats` (see `Propagation.headers`).
 *
 * @internal
 */
export const headers = (
  traceId: string,
  spanId: string,
  sampled: boolean,
  traceState: string | undefined,
  formats: ReadonlyArray<Propagation.Format>
): Record<string, string> => {
  const out: Record<string, string> = {}
  const traceparent = `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`
  if (!TRACEPARENT.test(traceparent)) return out
  for (const format of formats) {
    if (format === "w3c") {
      out["traceparent"] = traceparent
      if (traceState !== undefined && traceState !== "") out["tracestate"] = traceState
    } else {
      out["b3"] = `${traceId}-${spanId}-${sampled ? "1" : "0"}`
    }
  }
  return out
}

interface OtelSpanContext {
  readonly traceState?: { readonly serialize: () => string } | undefined
}

/** Where `@effect/opentelemetry` keeps the trace state of an external span made from an OpenTelemetry context. */
const OtelTraceState = Context.GenericTag<{ readonly serialize: () => string }>(
  "@effect/opentelemetry/Tracer/OtelTraceState"
)

/**
 * The W3C trace state a span carries: an OpenTelemetry span (the tracer of
 * `@effect/opentelemetry`) has one in its span context; Effect's own spans
 * have none.
 *
 * @internal
 */
export const traceStateOf = (span: Tracer.AnySpan): string | undefined => {
  const otel = (span as { readonly span?: { readonly spanContext?: () => OtelSpanContext } }).span
  if (otel !== undefined && typeof otel.spanContext === "function") {
    return otel.spanContext().traceState?.serialize() || undefined
  }
  const state = Context.getOption(spanAnnotations(span), OtelTraceState)
  return state._tag === "Some" ? state.value.serialize() || undefined : undefined
}

/**
 * The headers to add to a request that has `present` headers: none of a
 * format the request sets itself.
 *
 * @internal
 */
export const forSpan = (
  span: Tracer.AnySpan,
  formats: ReadonlyArray<Propagation.Format>,
  present: Readonly<Record<string, string>>
): Record<string, string> | undefined => {
  let wanted = formats
  if (present["traceparent"] !== undefined || present["b3"] !== undefined) {
    wanted = formats.filter((f) => f === "w3c" ? present["traceparent"] === undefined : present["b3"] === undefined)
    if (wanted.length === 0) return undefined
  }
  const out = headers(
    span.traceId,
    span.spanId,
    span.sampled,
    wanted.includes("w3c") ? traceStateOf(span) : undefined,
    wanted
  )
  for (const _ in out) return out
  return undefined
}
