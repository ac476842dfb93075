/**
 * The ways a program renders an error, for the tests that look for secrets
 * in them (regressions/no-secret-in-renderings.test.ts): its message, stack,
 * `String`, `JSON.stringify`, `util.inspect`, Effect's `Inspectable` and
 * `Cause.pretty`, what each built-in logger prints, and what Effect's own
 * tracer keeps of a span (attributes, events, exit).
 */
import * as Effect from "@steadfast/core/line/Effect"
import { Cause, Console, Exit, Inspectable, Layer, Logger, Tracer } from "effect"
import * as util from "node:util"

/** A console that records what each logger prints, as Node's console would format it. */
export const recordingConsole = (lines: Array<string>): Console.Console => {
  const record = (...args: ReadonlyArray<unknown>) => {
    lines.push(util.formatWithOptions({ depth: Infinity }, ...args))
  }
  const unsafe = new Proxy({} as Console.UnsafeConsole, { get: () => record })
  return new Proxy({ [Console.TypeId]: Console.TypeId, unsafe } as unknown as Console.Console, {
    get: (target, key) =>
      key in target ? (target as any)[key] : (...args: ReadonlyArray<unknown>) => Effect.sync(() => record(...args))
  })
}

export const loggers: Record<string, Layer.Layer<never>> = {
  default: Layer.empty,
  pretty: Logger.pretty,
  json: Logger.json,
  logfmt: Logger.logFmt,
  structured: Logger.structured
}

/** What each built-in logger prints for the ways a program logs a failure. */
export const logged = (error: unknown): Effect.Effect<Record<string, string>> =>
  Effect.gen(function*() {
    const out: Record<string, string> = {}
    for (const [name, layer] of Object.entries(loggers)) {
      const lines: Array<string> = []
      yield* Effect.fail(error).pipe(
        Effect.tapErrorCause((cause) => Effect.logError("request failed", cause)),
        Effect.tapError((e) => Effect.logError(e)),
        Effect.tapError((e) => Effect.annotateLogs(Effect.logWarning("annotated"), "error", e)),
        Effect.exit,
        Effect.withConsole(recordingConsole(lines)),
        Effect.provide(layer)
      )
      out[`logger ${name}`] = lines.join("\n")
    }
    return out
  })

/** Every way a user might render `error`: its own fields, Effect's renderings of it and of its cause, the built-in loggers. */
export const rendered = (error: unknown): Effect.Effect<Record<string, string>> =>
  Effect.map(logged(error), (logs) => ({
    message: (error as Error).message,
    stack: String((error as Error).stack),
    String: String(error),
    "JSON.stringify": JSON.stringify(error),
    "util.inspect": util.inspect(error, { depth: Infinity, showHidden: true }),
    "Inspectable.toStringUnknown": Inspectable.toStringUnknown(error),
    "Inspectable.format": Inspectable.format(error),
    "Cause.pretty": Cause.pretty(Cause.fail(error), { renderErrorCause: true }),
    "Cause.prettyErrors": util.inspect(Cause.prettyErrors(Cause.fail(error)), { depth: Infinity }),
    ...logs
  }))

/** Effect's own tracer, recording every span it makes. */
export const recordingTracer = (spans: Array<Tracer.Span>) =>
  Effect.map(Effect.tracer, (native) =>
    Tracer.make({
      span: (...args) => {
        const span = native.span(...args)
        spans.push(span)
        return span
      },
      context: native.context
    }))

export const spanRenderings = (spans: ReadonlyArray<Tracer.Span>): Record<string, string> => {
  const out: Record<string, string> = {}
  spans.forEach((span, i) => {
    const status = span.status
    out[`span ${i} ${span.name} attributes`] = util.inspect(span.attributes, { depth: Infinity })
    out[`span ${i} ${span.name} events`] = util.inspect((span as { events?: unknown }).events, { depth: Infinity })
    if (status._tag === "Ended") {
      out[`span ${i} ${span.name} exit`] = util.inspect(status.exit, { depth: Infinity, showHidden: true })
      out[`span ${i} ${span.name} exit JSON`] = JSON.stringify(status.exit)
      if (Exit.isFailure(status.exit)) {
        out[`span ${i} ${span.name} exit Cause.pretty`] = Cause.pretty(status.exit.cause, { renderErrorCause: true })
      }
    }
  })
  return out
}
