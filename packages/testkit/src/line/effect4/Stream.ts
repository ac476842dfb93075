/**
 * `effect/Stream` for the Effect 4 line, with `ensuringWith` in its Effect 3
 * spelling (Effect 4: `onExit`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Stream from "effect/Stream"

export * from "effect/Stream"

/** Runs `finalizer` with the stream's exit when it ends, fails or is interrupted. @internal */
export const ensuringWith: typeof Stream.onExit = Stream.onExit
