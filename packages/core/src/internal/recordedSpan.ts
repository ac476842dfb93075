/**
 * What a test's recording tracer (`#line/recordingTracer`) keeps of a span,
 * and the span's recording methods: the same on both Effect lines (the seams
 * differ only in the tracer's `span` call and the span's annotations). No
 * Effect import.
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

/**
 * Records a new span on `spans` (its id W3C-shaped, 16 hex digits, from its
 * place in `spans`) and returns the record with the span's methods writing
 * into it. @internal
 */
export const recordSpan = (
  spans: Array<RecordedSpan>,
  name: string,
  kind: RecordedSpan["kind"],
  parentId: string | undefined
) => {
  const record: RecordedSpan = {
    name,
    kind,
    spanId: (spans.length + 1).toString(16).padStart(16, "0"),
    parentId,
    attributes: new Map(),
    events: [],
    ended: false
  }
  spans.push(record)
  return {
    record,
    methods: {
      end: () => void (record.ended = true),
      attribute: (key: string, value: unknown) => void record.attributes.set(key, value),
      event: (eventName: string, _time: bigint, attributes?: Record<string, unknown>) =>
        void record.events.push({ name: eventName, attributes: attributes ?? {} }),
      addLinks: () => {}
    }
  }
}
