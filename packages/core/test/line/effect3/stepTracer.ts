/**
 * A test's tracer that calls a hook before every step of every fiber it runs
 * on: the runtime hands each step to its tracer's `context`. The hook gets
 * the fiber and a way to interrupt it, taken before its next step. Effect
 * 3's `context` gets a thunk and the fiber (`unsafeInterruptAsFork`);
 * Effect 4's the step itself and the fiber (`interruptUnsafe`). See
 * docs/design.md, "Two Effect lines".
 */
import * as FiberId from "effect/FiberId"
import * as Tracer from "effect/Tracer"

/** `base` (its spans), with `onStep` called before each step. */
export const stepTracer = (
  base: Tracer.Tracer,
  onStep: (fiber: unknown, interrupt: () => void) => void
): Tracer.Tracer =>
  Tracer.make({
    span: (...args) => base.span(...args),
    context: (f, fiber) => {
      onStep(fiber, () => fiber.unsafeInterruptAsFork(FiberId.none))
      return f()
    }
  })
