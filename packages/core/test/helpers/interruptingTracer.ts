/**
 * The interrupt-anywhere sweep's tracer: `base`'s spans, and an interruption
 * of the first fiber it runs on after that fiber's `step`-th step (from 1),
 * taken before the next. Fibers forked under it inherit it; their steps are
 * not counted.
 */
import { stepTracer } from "#testline/stepTracer"
import type * as Tracer from "effect/Tracer"

export const interruptingTracer = (base: Tracer.Tracer, step: number): Tracer.Tracer => {
  let steps = 0
  let first: unknown = undefined
  return stepTracer(base, (fiber, interrupt) => {
    first ??= fiber
    if (fiber === first && ++steps === step) interrupt()
  })
}
