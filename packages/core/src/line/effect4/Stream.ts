/**
 * `effect/Stream` for the Effect 4 line, with `mapChunksEffect` in its
 * Effect 3 spelling (Effect 4: `mapArrayEffect`; a chunk is a non-empty
 * array there). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Stream from "effect/Stream"

export * from "effect/Stream"

/** @internal */
export const mapChunksEffect: typeof Stream.mapArrayEffect = Stream.mapArrayEffect
