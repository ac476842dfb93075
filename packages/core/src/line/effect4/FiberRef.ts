/**
 * Fiber-local values on the Effect 4 line, which keeps them as
 * `Context.Reference`s, under the Effect 3 `FiberRef` names the shared source
 * uses (`currentMinimumLogLevel` is `References.MinimumLogLevel`, ...).
 * `currentContext` stands for the fiber's whole context (read and written by
 * the fiber runtime of `#line/Effect`'s `withFiberRuntime`). See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as References from "effect/References"

/** @internal */
export type FiberRef<A> = Context.Reference<A>

/** @internal */
export const currentMinimumLogLevel = References.MinimumLogLevel

/** @internal */
export const currentTracerEnabled = References.TracerEnabled

/** @internal */
export const currentTracerTimingEnabled = References.TracerTimingEnabled

/** @internal */
export const currentTracerSpanLinks = References.TracerSpanLinks

/** @internal */
export const currentTracerSpanAnnotations = References.TracerSpanAnnotations

/** @internal */
export const currentContext: FiberRef<Context.Context<never>> = Context.Reference(
  "@steadfast/core/line/currentContext",
  { defaultValue: () => Context.empty() }
)

/** A new fiber-local value, `initial` until set; `key` names it. @internal */
export const make = <A>(key: string, initial: A): FiberRef<A> => Context.Reference(key, { defaultValue: () => initial })

/** The current value of `self`. @internal */
export const get = <A>(self: FiberRef<A>): Effect.Effect<A> => Effect.service(self)
