/**
 * Making spans by hand on the Effect 4 line: the tracer's `span` call (one
 * options object there), a span's annotations (`annotations`; Effect 3:
 * `context`), and the links and annotations a fiber adds to its spans (an
 * array and a record there). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

import * as FiberRef from "./FiberRef.js"
import type { RuntimeFlags } from "./RuntimeFlags.js"

/**
 * What the request path uses of a fiber: on Effect 4, the fiber runtime of
 * `#line/Effect`'s `withFiberRuntime` offers the reads, and no
 * `setFiberRef` (so the request path takes its general way, through
 * `Effect.useSpan`).
 *
 * @internal
 */
export interface FiberAccess {
  readonly getFiberRef: <X>(ref: FiberRef.FiberRef<X>) => X
  readonly setFiberRef: <X>(ref: FiberRef.FiberRef<X>, value: X) => void
  readonly currentRuntimeFlags: RuntimeFlags
  readonly currentTracer: Tracer.Tracer
  readonly currentSpan: Tracer.AnySpan | undefined
  readonly currentDefaultServices: Context.Context<never>
}

/** A new span from `tracer`. @internal */
export const makeSpan = (
  tracer: Tracer.Tracer,
  name: string,
  parent: Option.Option<Tracer.AnySpan>,
  annotations: Context.Context<never>,
  links: ReadonlyArray<Tracer.SpanLink>,
  startTime: bigint,
  kind: Tracer.SpanKind,
  options: Tracer.SpanOptions | undefined
): Tracer.Span =>
  tracer.span({
    name,
    parent,
    annotations,
    links: [...links],
    startTime,
    kind,
    root: options?.root ?? false,
    sampled: options?.sampled ?? (parent._tag === "Some" ? parent.value.sampled : true)
  })

/** The annotations a span carries. @internal */
export const spanAnnotations = (span: Tracer.AnySpan): Context.Context<never> => span.annotations

/** The links the fiber adds to the spans it makes. @internal */
export const fiberSpanLinks = (fiber: Pick<FiberAccess, "getFiberRef">): ReadonlyArray<Tracer.SpanLink> =>
  fiber.getFiberRef(FiberRef.currentTracerSpanLinks)

/** Calls `f` with each annotation the fiber adds to the spans it makes. @internal */
export const forEachSpanAnnotation = (
  fiber: Pick<FiberAccess, "getFiberRef">,
  f: (value: unknown, key: string) => void
): void => {
  const annotations = fiber.getFiberRef(FiberRef.currentTracerSpanAnnotations)
  for (const key of Object.keys(annotations)) f(annotations[key], key)
}

/**
 * Makes `span` the parent span of what `fiber` runs next: its context
 * becomes `context` with `span` as `Tracer.ParentSpan`. (The request path
 * opens its span in place on Effect 3 only; this is the plain way.)
 *
 * @internal
 */
export const setParentSpan = (
  fiber: FiberAccess,
  context: Context.Context<never>,
  span: Tracer.AnySpan
): boolean => {
  fiber.setFiberRef(FiberRef.currentContext, Context.add(context, Tracer.ParentSpan, span))
  return true
}
