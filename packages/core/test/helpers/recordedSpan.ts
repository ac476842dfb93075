/**
 * What a test's recording tracer (`#line/recordingTracer`) keeps of a span,
 * and the span's recording methods: the same on both Effect lines (the seams
 * differ only in the tracer's `span` call and the span's annotations). No
 * Effect import.
 */

/** One span as a test's tracer saw it. */
export interface RecordedSpan {
  readonly name: string
  readonly kind: "internal" | "server" | "client" | "producer" | "consumer"
  readonly spanId: string
  readonly parentId: string | undefined
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> }>
  ended: boolean
}

/** What a tracer is asked for a span, in the fields both lines share. */
export interface SpanRequest<Parent, Link> {
  readonly name: string
  readonly kind: RecordedSpan["kind"]
  /** The parent span, if any (an `Option` of it), and its id. */
  readonly parent: Parent
  readonly parentId: string | undefined
  readonly links: ReadonlyArray<Link>
  readonly startTime: bigint
  readonly sampled: boolean
}

/**
 * Records a new span on `spans` (its id W3C-shaped, 16 hex digits, from its
 * place in `spans`, in trace `traceId`) and returns the span's fields but its
 * annotations, its methods writing into the record. @internal
 */
export const recordSpan = <Parent, Link>(
  spans: Array<RecordedSpan>,
  traceId: string,
  { kind, links, name, parent, parentId, sampled, startTime }: SpanRequest<Parent, Link>
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
    _tag: "Span" as const,
    name,
    spanId: record.spanId,
    traceId,
    parent,
    status: { _tag: "Started" as const, startTime },
    attributes: record.attributes,
    links: [...links],
    sampled,
    kind,
    end: () => void (record.ended = true),
    attribute: (key: string, value: unknown) => void record.attributes.set(key, value),
    event: (eventName: string, _time: bigint, attributes?: Record<string, unknown>) =>
      void record.events.push({ name: eventName, attributes: attributes ?? {} }),
    addLinks: () => {}
  }
}
