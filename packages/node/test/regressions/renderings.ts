/**
 * Every way a user might render an error or a span, as text, for the
 * no-secret regression test: its message, stack, `String`, `JSON.stringify`,
 * `util.inspect`, Effect's `Inspectable`, `Cause.pretty`, what each built-in
 * logger prints, and a recorded span's attributes, events and exit.
 */
import { format, loggers, tapErrorCause, withRecordingConsole } from "#testline/renderings"
import * as Cause from "@steadfast/core/line/Cause"
import * as Effect from "@steadfast/core/line/Effect"
import { Exit, Inspectable, type Tracer } from "effect"
import * as util from "node:util"

/** A console that records what each logger prints, as Node's console would format it. */
const recordingConsole = (lines: Array<string>) =>
  withRecordingConsole((...args) => void lines.push(util.formatWithOptions({ depth: Infinity }, ...args)))

/** What each built-in logger prints for the ways a program logs a failure. */
const logged = (error: unknown): Effect.Effect<Record<string, string>> =>
  Effect.gen(function*() {
    const out: Record<string, string> = {}
    for (const [name, layer] of Object.entries(loggers)) {
      const lines: Array<string> = []
      yield* Effect.fail(error).pipe(
        tapErrorCause((cause) => Effect.logError("request failed", cause)),
        Effect.tapError((e) => Effect.logError(e)),
        Effect.tapError((e) => Effect.annotateLogs(Effect.logWarning("annotated"), "error", e)),
        Effect.exit,
        recordingConsole(lines),
        Effect.provide(layer)
      )
      out[`logger ${name}`] = lines.join("\n")
    }
    return out
  })

/** Every way a user might render `error`: message, stack, inspections, `Cause.pretty`, each logger. */
export const rendered = (error: unknown): Effect.Effect<Record<string, string>> =>
  Effect.map(logged(error), (logs) => ({
    message: (error as Error).message,
    stack: String((error as Error).stack),
    String: String(error),
    "JSON.stringify": JSON.stringify(error),
    "util.inspect": util.inspect(error, { depth: Infinity, showHidden: true }),
    "Inspectable.toStringUnknown": Inspectable.toStringUnknown(error),
    "Inspectable.format": format(error),
    "Cause.pretty": Cause.pretty(Cause.fail(error), { renderErrorCause: true }),
    "Cause.prettyErrors": util.inspect(Cause.prettyErrors(Cause.fail(error)), { depth: Infinity }),
    ...logs
  }))

/** What a recording tracer kept of each span: attributes, events, the exit and its renderings. */
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

/** Each rendering that shows one of `secrets`, named by how it was rendered. */
export const leaks = (secrets: ReadonlyArray<string>, renderings: Record<string, string>): Array<string> =>
  Object.entries(renderings).flatMap(([how, text]) =>
    secrets.filter((secret) => text.includes(secret)).map((secret) => `${how} shows ${secret}`)
  )
