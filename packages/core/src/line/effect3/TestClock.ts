/**
 * `effect/TestClock` for the Effect 3 line (Effect 4 keeps it under
 * `effect/testing`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
export * from "effect/TestClock"
