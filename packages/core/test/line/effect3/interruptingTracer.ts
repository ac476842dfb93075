/**
 * A test's tracer that records spans (as `recordingTracer`) and interrupts
 * the fiber it runs on after a given step: the runtime hands every step of
 * a fiber to its tracer's `context`, so the interruption lands between that
 * step and the next exactly. Effect 3's `context` gets a thunk and the
 * fiber (`unsafeInterruptAsFork`); Effect 4's the step itself and the fiber
 * (`interruptUnsafe`). See docs/design.md, "Two Effect lines".
 */
import * as FiberId from "effect/FiberId"
import * as Tracer from "effect/Tracer"

import { type RecordedSpan, recordingTracer } from "./recordingTracer.js"

/**
 * Records spans onto `spans`; interrupts the first fiber it runs on after
 * that fiber's `step`-th step (from 1). Fibers forked under it inherit it:
 * their steps are not counted.
 */
export const interruptingTracer = (spans: Array<RecordedSpan>, step: number): Tracer.Tracer => {
  const recording = recordingTracer(spans)
  let steps = 0
  let first: unknown = undefined
  return Tracer.make({
    span: recording.span,
    context: (f, fiber) => {
      first ??= fiber
      if (fiber === first && ++steps === step) fiber.unsafeInterruptAsFork(FiberId.none)
      return f()
    }
  })
}
