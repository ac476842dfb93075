/**
 * Running an Effect from a callback (undici's connector asks the DNS
 * resolver that way) on the runtime it was set up in, on the Effect 3 line:
 * the `Runtime` and `Runtime.runCallback`. Effect 4 runs on the fiber's
 * context instead (`src/line/effect4/runtime.ts`, same names). See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"

/** What an effect started from a callback runs with. @internal */
export type Runner = Runtime.Runtime<never>

/** The current fiber's runner. @internal */
export const runner: Effect.Effect<Runner> = Effect.runtime<never>()

/** Starts `effect` on `runner`, calling `onExit` with its exit. @internal */
export const runCallback = (runner: Runner): <A, E>(
  effect: Effect.Effect<A, E>,
  options: { readonly onExit: (exit: Exit.Exit<A, E>) => void }
) => unknown => Runtime.runCallback(runner)

/**
 * The `resume` of an `Effect.async` that undici's (or zlib's) callbacks
 * call: the fiber goes on after the callback returned, not inside it. On
 * Effect 3 a resumed fiber always waits for its scheduler, so this is
 * `resume` itself. @internal
 */
export const deferResume = <A>(resume: (a: A) => void): (a: A) => void => resume
