/**
 * The demo's Effect 4 seam for its captured log lines (docs/design.md, "Two
 * Effect lines"): Effect 4 keeps the loggers in the `CurrentLoggers`
 * reference (a `Set`), where Effect 3 has the `currentLoggers` FiberRef (a
 * `HashSet`). Same names and signatures as `src/line/effect3/logs.ts`.
 */
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"

/** Runs `self` with `onMessage` given each message it logs, instead of the loggers it had. */
export const onlyTo = (onMessage: (message: unknown) => void) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provideService(self, Logger.CurrentLoggers, new Set([Logger.make(({ message }) => onMessage(message))]))
