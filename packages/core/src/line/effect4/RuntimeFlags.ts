/**
 * Runtime flags on the Effect 4 line, which has none: the fiber runtime of
 * `#line/Effect`'s `withFiberRuntime` reports whether the fiber is
 * interruptible as the Effect 3 `Interruption` flag. See docs/design.md,
 * "Two Effect lines".
 *
 * @internal
 */

/** @internal */
export type RuntimeFlags = number

/** @internal */
export const Interruption: RuntimeFlags = 1

/** @internal */
export const interruption = (self: RuntimeFlags): boolean => (self & Interruption) !== 0
