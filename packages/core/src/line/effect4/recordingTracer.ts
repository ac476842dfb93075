/**
 * A test's tracer: records each span it is asked for (name, kind, ids,
 * parent, attributes, events, whether it ended). Effect 3's `span` call takes
 * its fields one by one and a span keeps its annotations as `context`;
 * Effect 4's takes one options object and names them `annotations`. See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

import type { RecordedSpan } from "../../internal/recordedSpan.js"

export type { RecordedSpan } from "../../internal/recordedSpan.js"

/** A tracer that pushes a record of each span onto `spans`; span ids are W3C-shaped (16 hex digits). @internal */
export const recordingTracer = (spans: Array<RecordedSpan>, traceId = "4bf92f3577b34da6a3ce929d0e0e4736"): Tracer.Tracer =>
  Tracer.make({
    span({ annotations, kind, links, name, parent, sampled, startTime }) {
      const spanId = (spans.length + 1).toString(16).padStart(16, "0")
      const record: RecordedSpan = {
        name,
        kind,
        spanId,
        parentId: Option.getOrUndefined(Option.map(parent, (p) => p.spanId)),
        attributes: new Map(),
        events: [],
        ended: false
      }
      spans.push(record)
      return {
        _tag: "Span",
        name,
        spanId,
        traceId,
        parent,
        annotations,
        status: { _tag: "Started", startTime },
        attributes: record.attributes,
        links,
        sampled,
        kind,
        end: () => void (record.ended = true),
        attribute: (key, value) => void record.attributes.set(key, value),
        event: (eventName, _time, attributes) => void record.events.push({ name: eventName, attributes: attributes ?? {} }),
        addLinks: () => {}
      }
    }
  })
