/**
 * The ways a program renders or records an error that differ by Effect
 * line, for the no-secret regression, on the Effect 4 line: the built-in
 * loggers (`consolePretty`, `consoleJson`, ...), a console that records (the
 * `Console` reference; its methods are plain functions), `Formatter.format`,
 * a tracer that records its spans (a span's options in one object), the
 * metric registry's ids and attributes. Same names as
 * `../effect3/renderings.ts`. See docs/design.md, "Two Effect lines".
 */
import type * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Formatter from "effect/Formatter"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Metric from "effect/Metric"
import * as Tracer from "effect/Tracer"

/** Each built-in logger, as a layer that makes it the program's logger. */
export const loggers: Record<string, Layer.Layer<never>> = {
  default: Layer.empty,
  pretty: Logger.layer([Logger.consolePretty()]),
  json: Logger.layer([Logger.consoleJson]),
  logfmt: Logger.layer([Logger.consoleLogFmt]),
  structured: Logger.layer([Logger.consoleStructured])
}

/** Runs `self` with a console whose every method hands its arguments to `record`. */
export const withRecordingConsole =
  (record: (...args: ReadonlyArray<unknown>) => void) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
    Effect.provideService(self, Console.Console, new Proxy({} as Console.Console, { get: () => record }))

/** Runs `f` on the cause of a failure of `self`, then fails as `self` did. */
export const tapErrorCause =
  <E, X, E2, R2>(f: (cause: Cause.Cause<E>) => Effect.Effect<X, E2, R2>) =>
  <A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | E2, R | R2> => Effect.tapCause(self, f)

/** Effect's formatting of any value (`Formatter.format`). */
export const format = (u: unknown): string => Formatter.format(u)

/** Effect's own tracer, recording every span it makes in `spans`. */
export const recordingTracer = (spans: Array<Tracer.Span>): Effect.Effect<Tracer.Tracer> =>
  Effect.map(Effect.tracer, (native) =>
    Tracer.make({
      span: (options) => {
        const span = native.span(options)
        spans.push(span)
        return span
      },
      ...(native.context === undefined ? {} : { context: native.context })
    }))

/** The name and attributes of every metric in the registry. */
export const metricKeys: Effect.Effect<ReadonlyArray<readonly [string, unknown]>> = Effect.map(
  Metric.snapshot,
  (metrics) => metrics.map((m) => [m.id, m.attributes] as const)
)
