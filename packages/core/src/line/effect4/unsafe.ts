/**
 * The synchronous ("unsafe") calls the hot path makes outside an Effect, on
 * the Effect 4 line (`xxxUnsafe` names; Effect 3 spells them `unsafeXxx`).
 * See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import type * as Exit from "effect/Exit"

/** A new, not yet completed `Deferred`. @internal */
export const makeDeferred = <A, E = never>(): Deferred.Deferred<A, E> => Deferred.makeUnsafe<A, E>()

/** Completes `self` with `exit` now (no-op if already completed). @internal */
export const completeDeferred = <A, E>(self: Deferred.Deferred<A, E>, exit: Exit.Exit<A, E>): void => {
  Deferred.doneUnsafe(self, exit)
}

/** The clock's time in ms, read now. @internal */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()
