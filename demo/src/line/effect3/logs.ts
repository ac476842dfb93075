/**
 * The demo's Effect 3 seam for its captured log lines (docs/design.md, "Two
 * Effect lines"): a logger that gives each line's message to a callback, and
 * an effect run with that logger as its only one (whatever loggers were
 * installed). `src/line/effect4/logs.ts` has the same names and signatures.
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Logger from "effect/Logger"

/** Runs `self` with `onMessage` given each message it logs, instead of the loggers it had. */
export const onlyTo = (onMessage: (message: unknown) => void) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.locally(self, FiberRef.currentLoggers, HashSet.make(Logger.make(({ message }) => onMessage(message))))
