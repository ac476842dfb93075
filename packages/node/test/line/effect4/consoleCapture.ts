/**
 * A test's view of what an effect prints, on the Effect 4 line: the
 * `Console` reference replaced by a console whose `log` and `error` hand
 * each line over (Effect 4's console methods are plain functions). Same
 * names as `../effect3/consoleCapture.ts`. See docs/design.md, "Two
 * Effect lines".
 *
 * @internal
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/**
 * Runs `self` with each line it prints with `Console.log` or `Console.error`
 * (its items joined by a space) given to `onLine`, with the method's name.
 */
export const captureConsole =
  (onLine: (line: string, method: "log" | "error") => void) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.service(Console.Console), (base) => {
      const push = (method: "log" | "error") => (...items: ReadonlyArray<unknown>) => onLine(items.join(" "), method)
      return Effect.provideService(self, Console.Console, { ...base, log: push("log"), error: push("error") })
    })
