/**
 * A test's tracer that makes spans as `base` does and interrupts the first
 * fiber it runs on after a given step: the runtime hands every step of a
 * fiber to its tracer's `context`, so the interruption lands between that
 * step and the next exactly. Effect 3's `context` gets a thunk and the fiber
 * (`unsafeInterruptAsFork`); Effect 4's the step itself and the fiber
 * (`interruptUnsafe`). Same names as `../effect4/interruptingTracer.ts`.
 * See docs/design.md, "Two Effect lines".
 */
import * as FiberId from "effect/FiberId"
import * as Tracer from "effect/Tracer"

/** Interrupts the first fiber it runs on after that fiber's `step`-th step (from 1); its forks' steps are not counted. */
export const interruptingTracer = (base: Tracer.Tracer, step: number): Tracer.Tracer => {
  let steps = 0
  let first: unknown = undefined
  return Tracer.make({
    span: (...args) => base.span(...args),
    context: (f, fiber) => {
      first ??= fiber
      if (fiber === first && ++steps === step) fiber.unsafeInterruptAsFork(FiberId.none)
      return f()
    }
  })
}
