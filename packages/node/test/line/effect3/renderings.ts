/**
 * The ways a program renders or records an error that differ by Effect
 * line, for the no-secret regression, on the Effect 3 line: the built-in
 * loggers, a console that records, `Inspectable.format`, a tracer that
 * records its spans, the metric registry's names and tags. Same names as
 * `../effect4/renderings.ts`. See docs/design.md, "Two Effect lines".
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Metric from "effect/Metric"
import * as Tracer from "effect/Tracer"

/** Each built-in logger, as a layer that makes it the program's logger. */
export const loggers: Record<string, Layer.Layer<never>> = {
  default: Layer.empty,
  pretty: Logger.pretty,
  json: Logger.json,
  logfmt: Logger.logFmt,
  structured: Logger.structured
}

/** Runs `self` with a console whose every method hands its arguments to `record`. */
export const withRecordingConsole =
  (record: (...args: ReadonlyArray<unknown>) => void) => <A, E, R>(self: Effect.Effect<A, E, R>) => {
    const unsafe = new Proxy({} as Console.UnsafeConsole, { get: () => record })
    const console = new Proxy({ [Console.TypeId]: Console.TypeId, unsafe } as unknown as Console.Console, {
      get: (target, key) =>
        key in target ? (target as any)[key] : (...args: ReadonlyArray<unknown>) => Effect.sync(() => record(...args))
    })
    return Effect.withConsole(self, console)
  }

/** Runs `f` on the cause of a failure of `self`, then fails as `self` did. */
export const tapErrorCause = Effect.tapErrorCause

/** Effect's formatting of any value (`Inspectable.format`). */
export const format = (u: unknown): string => Inspectable.format(u)

/** Effect's own tracer, recording every span it makes in `spans`. */
export const recordingTracer = (spans: Array<Tracer.Span>): Effect.Effect<Tracer.Tracer> =>
  Effect.map(Effect.tracer, (native) =>
    Tracer.make({
      span: (...args) => {
        const span = native.span(...args)
        spans.push(span)
        return span
      },
      context: native.context
    }))

/** The name and tags of every metric in the registry. */
export const metricKeys: Effect.Effect<ReadonlyArray<readonly [string, unknown]>> = Effect.map(
  Metric.snapshot,
  (metrics) => metrics.map((m) => [m.metricKey.name, m.metricKey.tags] as const)
)
