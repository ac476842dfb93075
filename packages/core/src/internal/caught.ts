/**
 * Handing a failed effect's error to its handler, on the failure path.
 *
 * @internal
 */
import * as Cause from "#line/Cause"
import * as Effect from "#line/Effect"

/**
 * `f` of the failure in `cause`, exactly as `Effect.catchAll` would call it
 * (defects and interruption pass through); built on the failure path only.
 * A cause that is one failure (what a failed attempt almost always is) goes
 * to `f` at once: `catchAll` would find the same error after a step and
 * two walks over the cause.
 */
export const caught = <A, E, E2, R>(
  cause: Cause.Cause<E>,
  f: (error: E) => Effect.Effect<A, E2, R>
): Effect.Effect<A, E2, R> => {
  const failed = Cause.soleFailure(cause)
  return failed !== undefined ? f(failed.error) : Effect.catchAll(Effect.failCause(cause), f)
}
