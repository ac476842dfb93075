/**
 * Fiber ids on the Effect 4 line, where an id is a number and "no fiber" is
 * no argument: `none` in its Effect 3 spelling. See docs/design.md, "Two
 * Effect lines".
 *
 * @internal
 */

/** @internal */
export type FiberId = number | undefined

/** @internal */
export const none: FiberId = undefined
