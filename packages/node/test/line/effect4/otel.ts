/**
 * @effect/opentelemetry as the OpenTelemetry test uses it, on the Effect 4
 * line (4.1.5, where the tracer module is `OtelTracer` and the Node SDK is
 * not in the index): the Node SDK's layer and a span from an incoming
 * context. Same names as `../effect3/otel.ts`. See docs/design.md, "Two
 * Effect lines".
 */
export { layer as sdkLayer } from "@effect/opentelemetry/NodeSdk"
export { makeExternalSpan } from "@effect/opentelemetry/OtelTracer"

/**
 * The OpenTelemetry status code of a span that ended in success: UNSET (0),
 * as @effect/opentelemetry 4 leaves it (and OpenTelemetry's HTTP conventions
 * ask of an instrumentation); 0.64 set OK. A failure is ERROR on both.
 */
export const successStatusCode = 0
