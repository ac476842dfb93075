/**
 * `effect/FiberRef` for the Effect 3 line: the shared source is written in
 * this spelling, so this line's seam is the module itself, plus `make` (a
 * fiber ref kept once per key, however often the module loads). See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"

export * from "effect/FiberRef"

/** A new fiber-local value, `initial` until set; `key` names it. @internal */
export const make = <A>(key: string, initial: A): FiberRef.FiberRef<A> =>
  globalValue(key, () => FiberRef.unsafeMake<A>(initial))
