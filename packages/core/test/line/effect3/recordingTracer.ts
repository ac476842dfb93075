/**
 * A test's tracer: records each span it is asked for (name, kind, ids,
 * parent, attributes, events, whether it ended). Effect 3's `span` call takes
 * its fields one by one and a span keeps its annotations as `context`;
 * Effect 4's takes one options object and names them `annotations`. See
 * docs/design.md, "Two Effect lines".
 */
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

import { type RecordedSpan, recordSpan } from "../../helpers/recordedSpan.js"

export type { RecordedSpan } from "../../helpers/recordedSpan.js"

/** A tracer that pushes a record of each span onto `spans`. */
export const recordingTracer = (
  spans: Array<RecordedSpan>,
  traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
): Tracer.Tracer =>
  Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const parentId = Option.getOrUndefined(parent)?.spanId
      return {
        ...recordSpan(spans, traceId, { name, kind, parent, parentId, links, startTime, sampled: true }),
        context
      }
    },
    context: (f) => f()
  })
