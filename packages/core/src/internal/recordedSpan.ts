/**
 * What a test's recording tracer (`#line/recordingTracer`) keeps of a span:
 * the same record on both Effect lines. No Effect import.
 *
 * @internal
 */

/** One span as a test's tracer saw it. @internal */
export interface RecordedSpan {
  readonly name: string
  readonly kind: "internal" | "server" | "client" | "producer" | "consumer"
  readonly spanId: string
  readonly parentId: string | undefined
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> }>
  ended: boolean
}
