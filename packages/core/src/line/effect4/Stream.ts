/**
 * `effect/Stream` for the Effect 4 line, with `mapChunksEffect` and
 * `ensuringWith` in their Effect 3 spelling (Effect 4: `mapArrayEffect`, a
 * chunk being a non-empty array there; `onExit`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Stream from "effect/Stream"

export * from "effect/Stream"

/** @internal */
export const mapChunksEffect: typeof Stream.mapArrayEffect = Stream.mapArrayEffect

/** Runs `finalizer` with the stream's exit when it ends, fails or is interrupted. @internal */
export const ensuringWith: typeof Stream.onExit = Stream.onExit
