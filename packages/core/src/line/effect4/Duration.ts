/**
 * `effect/Duration` for the Effect 4 line, with the names the shared source
 * uses in their Effect 3 spelling: `DurationInput` (Effect 4: `Input`),
 * `decode` (Effect 4: `fromInputUnsafe`) and `decodeUnknown` (Effect 4:
 * `fromInput`, which also returns `None` for what is not a duration). See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import type * as Option from "effect/Option"

export * from "effect/Duration"

/** @internal */
export type DurationInput = Duration.Input

/** @internal */
export const decode: (input: DurationInput) => Duration.Duration = Duration.fromInputUnsafe

/** @internal */
export const decodeUnknown = (u: unknown): Option.Option<Duration.Duration> => Duration.fromInput(u as Duration.Input)
