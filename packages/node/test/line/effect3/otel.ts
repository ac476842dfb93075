/**
 * @effect/opentelemetry as the OpenTelemetry test uses it, on the Effect 3
 * line (0.64): the Node SDK's layer and a span from an incoming context.
 * Same names as `../effect4/otel.ts`. See docs/design.md, "Two Effect
 * lines".
 */
export { layer as sdkLayer } from "@effect/opentelemetry/NodeSdk"
export { makeExternalSpan } from "@effect/opentelemetry/Tracer"

/**
 * The OpenTelemetry status code of a span that ended in success: OK (1),
 * which @effect/opentelemetry 0.64 sets on every successful span (Effect 4's
 * 4.x leaves it UNSET; a failure is ERROR on both).
 */
export const successStatusCode = 1
