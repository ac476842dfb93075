/**
 * Making spans by hand on the Effect 3 line (what `Effect.useSpan` does,
 * without its regions): the tracer's `span` call, a span's annotations, and
 * the links and annotations a fiber adds to its spans. See docs/design.md,
 * "Two Effect lines".
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import type * as DefaultServices from "effect/DefaultServices"
import * as Equal from "effect/Equal"
import type * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as HashMap from "effect/HashMap"
import type * as Option from "effect/Option"
import type * as RuntimeFlags from "effect/RuntimeFlags"
import * as Tracer from "effect/Tracer"

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

/** What Effect 3's fiber runtime has beyond {@link FiberAccess} to set its refs whole. */
interface RefsRuntime {
  readonly _fiberRefs?: { readonly locals?: unknown }
  readonly setFiberRefs?: (refs: FiberRefs.FiberRefs) => void
  readonly id?: () => FiberId.Runtime
}

type Stack = ReadonlyArray<readonly [FiberId.Runtime, unknown]>

/** `Map.prototype.forEach`'s callback that copies into `this` (no closure per copy). */
function copyEntry(this: Map<unknown, unknown>, value: unknown, key: unknown): void {
  this.set(key, value)
}

/**
 * Makes `span` the parent span of what `fiber` runs next, in place: the
 * fiber's context becomes `context` with `span` as `Tracer.ParentSpan`, as
 * `fiber.setFiberRef(FiberRef.currentContext, Context.add(context,
 * Tracer.ParentSpan, span))` makes it, with the same refs (the fiber's
 * entry on top of the context's stack). It copies the context's services
 * and the fiber's refs with `forEach`, where `new Map(map)` (in
 * `Context.add` and the refs' update) walks an iterator that allocates an
 * entry array and a result object per entry. `false` when the fiber does
 * not keep its refs as Effect 3's runtime does (nothing was set).
 *
 * @internal
 */
export const setParentSpan = (
  fiber: FiberAccess,
  context: Context.Context<never>,
  span: Tracer.AnySpan
): boolean => {
  const runtime = fiber as FiberAccess & RefsRuntime
  const locals = runtime._fiberRefs?.locals
  if (!(locals instanceof Map) || typeof runtime.setFiberRefs !== "function" || typeof runtime.id !== "function") {
    return false
  }
  const services = new Map<string, unknown>()
  context.unsafeMap.forEach(copyEntry, services)
  services.set(Tracer.ParentSpan.key, span)
  const value = Context.unsafeMake(services)
  const refs = new Map<FiberRef.FiberRef<unknown>, Stack>()
  locals.forEach(copyEntry, refs)
  const id = runtime.id()
  const stack: Stack = refs.get(FiberRef.currentContext as FiberRef.FiberRef<unknown>) ?? []
  const top = stack[0]
  refs.set(
    FiberRef.currentContext as FiberRef.FiberRef<unknown>,
    // the fiber's own entry on top is replaced; another fiber's (inherited) stays below the new one
    top !== undefined && Equal.equals(top[0], id) ? [[id, value], ...stack.slice(1)] : [[id, value], ...stack]
  )
  runtime.setFiberRefs(FiberRefs.unsafeMake(refs as Map<FiberRef.FiberRef<any>, any>))
  return true
}
