/**
 * A test's view of what an effect prints, on the Effect 3 line: the
 * default console replaced (`Console.withConsole`) by one whose `log` and
 * `error` hand each line over. Same names as
 * `../effect4/consoleCapture.ts`. See docs/design.md, "Two Effect
 * lines".
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
    Effect.flatMap(Effect.console, (base) => {
      const push = (method: "log" | "error") => (...items: ReadonlyArray<unknown>) =>
        Effect.sync(() => onLine(items.join(" "), method))
      return Console.withConsole(self, { ...base, log: push("log"), error: push("error") })
    })
