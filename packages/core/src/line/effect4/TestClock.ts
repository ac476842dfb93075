/**
 * `effect/TestClock` for the Effect 4 line, where it lives under
 * `effect/testing`. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
export * from "effect/testing/TestClock"
