/**
 * Running an Effect from a callback (undici's connector asks the DNS
 * resolver that way) with the services it was set up with, on the Effect 4
 * line: the fiber's `Context` and `Effect.runCallbackWith`. Same names as
 * `src/line/effect3/runtime.ts`. See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"

/** What an effect started from a callback runs with. @internal */
export type Runner = Context.Context<never>

/** The current fiber's runner. @internal */
export const runner: Effect.Effect<Runner> = Effect.context<never>()

/** Starts `effect` on `runner`, calling `onExit` with its exit. @internal */
export const runCallback = (runner: Runner): <A, E>(
  effect: Effect.Effect<A, E>,
  options: { readonly onExit: (exit: Exit.Exit<A, E>) => void }
) => unknown => Effect.runCallbackWith(runner)

/**
 * The `resume` of an `Effect.async` that undici's (or zlib's) callbacks
 * call: the fiber goes on after the callback returned, not inside it, as on
 * Effect 3. Effect 4 runs a resumed fiber at once, in the caller's stack:
 * code after a body read ran inside undici's `onResponseEnd`, before undici
 * had counted the request done (the pool's stats still said it was
 * running). @internal
 */
export const deferResume = <A>(resume: (a: A) => void): (a: A) => void => (a) => queueMicrotask(() => resume(a))
