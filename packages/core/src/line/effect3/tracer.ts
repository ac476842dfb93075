/**
 * Making spans by hand on the Effect 3 line (what `Effect.useSpan` does,
 * without its regions): the tracer's `span` call, a span's annotations, and
 * the links and annotations a fiber adds to its spans. See docs/design.md,
 * "Two Effect lines".
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import type * as Context from "effect/Context"
import type * as DefaultServices from "effect/DefaultServices"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import type * as Option from "effect/Option"
import type * as RuntimeFlags from "effect/RuntimeFlags"
import type * as Tracer from "effect/Tracer"

/**
 * What the request path uses of a fiber beyond `Fiber.RuntimeFiber`'s public
 * type: Effect 3's fiber runtime has all of it.
 *
 * @internal
 */
export interface FiberAccess {
  readonly getFiberRef: <X>(ref: FiberRef.FiberRef<X>) => X
  readonly setFiberRef: <X>(ref: FiberRef.FiberRef<X>, value: X) => void
  readonly currentRuntimeFlags: RuntimeFlags.RuntimeFlags
  readonly currentTracer: Tracer.Tracer
  readonly currentSpan: Tracer.AnySpan | undefined
  readonly currentDefaultServices: Context.Context<DefaultServices.DefaultServices>
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
): Tracer.Span => tracer.span(name, parent, annotations, links, startTime, kind, options)

/** The annotations (context) a span carries. @internal */
export const spanAnnotations = (span: Tracer.AnySpan): Context.Context<never> => span.context

/** The links the fiber adds to the spans it makes. @internal */
export const fiberSpanLinks = (fiber: Pick<FiberAccess, "getFiberRef">): ReadonlyArray<Tracer.SpanLink> =>
  Chunk.toReadonlyArray(fiber.getFiberRef(FiberRef.currentTracerSpanLinks))

/** Calls `f` with each annotation the fiber adds to the spans it makes. @internal */
export const forEachSpanAnnotation = (
  fiber: Pick<FiberAccess, "getFiberRef">,
  f: (value: unknown, key: string) => void
): void => {
  HashMap.forEach(fiber.getFiberRef(FiberRef.currentTracerSpanAnnotations), f)
}
