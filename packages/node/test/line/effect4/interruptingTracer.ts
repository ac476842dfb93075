/**
 * A test's tracer that makes spans as `base` does and interrupts the first
 * fiber it runs on after a given step: the runtime hands every step of a
 * fiber to its tracer's `context`, so the interruption lands between that
 * step and the next exactly. Effect 3's `context` gets a thunk and the fiber
 * (`unsafeInterruptAsFork`); Effect 4's the step itself and the fiber
 * (`interruptUnsafe`). Same names as `../effect3/interruptingTracer.ts`.
 * See docs/design.md, "Two Effect lines".
 */
import * as Tracer from "effect/Tracer"

/** The evaluation key of an Effect 4 step (`Tracer.EffectPrimitive`). */
const evaluate = "~effect/Effect/evaluate" as const

/** Interrupts the first fiber it runs on after that fiber's `step`-th step (from 1); its forks' steps are not counted. */
export const interruptingTracer = (base: Tracer.Tracer, step: number): Tracer.Tracer => {
  let steps = 0
  let first: unknown = undefined
  return Tracer.make({
    span: (options) => base.span(options),
    context: (primitive, fiber) => {
      first ??= fiber
      if (fiber === first && ++steps === step) fiber.interruptUnsafe()
      return primitive[evaluate](fiber)
    }
  })
}
