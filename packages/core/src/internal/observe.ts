/**
 * What a request tells the outside: its spans and span events (`trace.ts`),
 * its log lines, its metrics, and its history for `Client.withHistory`.
 * Cheap when off: nothing here runs on the happy path but the request
 * counter, the latency histograms and, when the tracer is on, the spans and
 * trace context headers. Retries and stale-connection re-sends log at Debug
 * unless the client says otherwise (`retryLogLevel`); nothing logs on the
 * happy path.
 *
 * @internal
 */
import * as Cause from "#line/Cause"
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as FiberRef from "#line/FiberRef"
import * as LogLevel from "#line/LogLevel"
import * as MetricLabel from "#line/MetricLabel"
import { currentTimeNanos, updateMetric } from "#line/unsafe"
import type * as Errors from "../Errors.js"
import * as Metrics from "../Metrics.js"
import type { AttemptState } from "./attempt.js"
import type { Call } from "./callState.js"
import type * as Decide from "./decide.js"
import { hedgedAttempts } from "./hedge.js"
import { redactUrl } from "./redact.js"
import * as trace from "./trace.js"

/** Where `Client.withHistory` collects the records of the requests it wraps. @internal */
export const historyRef: FiberRef.FiberRef<Array<Errors.AttemptRecord> | undefined> = FiberRef.make<
  Array<Errors.AttemptRecord> | undefined
>("@steadfast/core/observe/historyRef", undefined)

const noLabels: ReadonlyArray<MetricLabel.MetricLabel> = []

const labelSets = new Map<string, Map<string, ReadonlyArray<MetricLabel.MetricLabel>>>()

/**
 * `[name=value]`, the same array each time: a metric caches its hook by the
 * array, so a new one per update costs a metric key and a registry lookup.
 * Values are tags and reasons (a few dozen).
 */
const labelOf = (name: string, value: string): ReadonlyArray<MetricLabel.MetricLabel> => {
  let byValue = labelSets.get(name)
  if (byValue === undefined) labelSets.set(name, byValue = new Map())
  let labels = byValue.get(value)
  if (labels === undefined) {
    labels = [MetricLabel.make(name, value)]
    if (byValue.size < 256) byValue.set(value, labels)
  }
  return labels
}

/**
 * A request starts: the budget and the request counter hear of it, and its
 * `withHistory` collector is read once from the fiber.
 *
 * @internal
 */
export const started = (
  call: Call,
  fiber: { readonly getFiberRef: <X>(ref: FiberRef.FiberRef<X>) => X }
): void => {
  call.cfg.budget.request(call.origin, call.startedAt)
  if (call.cfg.metrics) updateMetric(Metrics.requests, 1, noLabels)
  call.collector = fiber.getFiberRef(historyRef)
}

/**
 * Runs the request's effect with its span (when spans are on and the tracer
 * is enabled; see `trace.ts`).
 *
 * @internal
 */
export const traced = trace.traced

/** A request goes on the wire: its span, its trace context headers. @internal */
export const sending = trace.sending

/** The response headers arrived. @internal */
export const responded = trace.responded

/** An attempt failed (at `now`): its send (the last hop) ends with the error. @internal */
export const failed = (call: Call, error: Errors.HttpError, now: number): void => {
  const sending = call.sending
  if (sending !== undefined && !sending.ended) trace.ended(call, sending, error, now)
}

/** Logs `message` with `fields` at `level`, building nothing when the level is off. */
const logAt = (
  level: LogLevel.LogLevel,
  message: () => string,
  fields: () => Record<string, unknown>
): Effect.Effect<void> => Effect.withFiberRuntime((fiber) => logIfOn(fiber, level, message, fields) ?? Effect.void)

/** The log line, or `undefined` (nothing built) when `level` is off for `fiber`. */
const logIfOn = (
  fiber: { readonly getFiberRef: <X>(ref: FiberRef.FiberRef<X>) => X },
  level: LogLevel.LogLevel,
  message: () => string,
  fields: () => Record<string, unknown>
): Effect.Effect<void> | undefined =>
  LogLevel.lessThan(level, fiber.getFiberRef(FiberRef.currentMinimumLogLevel))
    ? undefined
    : Effect.annotateLogs(Effect.logWithLevel(level, message()), fields())

const statusOf = (error: Errors.HttpError): string => error._tag === "StatusError" ? ` ${error.status}` : ""

/**
 * A retry after `delayMs`: a metric and a span event now, and the log line
 * at the client's `retryLogLevel` (Debug by default) annotated with the
 * attempt, the error's tag, the delay, the reason and the origin — returned
 * to run, or `undefined` (nothing built) when that level is off for `fiber`.
 *
 * @internal
 */
export const retrying = (
  fiber: { readonly getFiberRef: <X>(ref: FiberRef.FiberRef<X>) => X },
  attempt: AttemptState,
  error: Errors.HttpError,
  delayMs: number,
  reason: Decide.RetryReason
): Effect.Effect<void> | undefined => {
  const call = attempt.call
  if (call.cfg.metrics) updateMetric(Metrics.retries, 1, labelOf("error", error._tag))
  if (call.span !== undefined) {
    call.span.event("steadfast.retry", currentTimeNanos(call.cfg.clock), {
      "steadfast.attempt": attempt.n,
      "steadfast.error": error._tag,
      "steadfast.delay_ms": delayMs,
      "steadfast.reason": reason
    })
  }
  const level = call.cfg.retryLogLevel
  // the level first: with it off (Debug, by default) nothing of the line is built
  if (LogLevel.lessThan(level, fiber.getFiberRef(FiberRef.currentMinimumLogLevel))) return undefined
  const info = call.requestInfo
  const message = `${info.method} ${info.url}: attempt ${attempt.n} failed with ${error._tag}${
    statusOf(error)
  }; retrying in ${Duration.format(Duration.millis(delayMs))}${reason === "retry-after" ? " (Retry-After)" : ""}`
  return Effect.annotateLogs(Effect.logWithLevel(level, message), {
    "steadfast.attempt": attempt.n,
    "steadfast.error": error._tag,
    "steadfast.delay_ms": delayMs,
    "steadfast.reason": reason,
    "steadfast.origin": call.url.origin
  })
}

/**
 * A re-send at once: a metric, a span event, and a log line — at the
 * client's `retryLogLevel` (Debug by default) for a stale connection
 * (routine on keep-alive), Warning for the first fallback
 * from each proxy (traffic leaves the route the proxy enforces), Debug after.
 *
 * @internal
 */
export const resending = (
  attempt: AttemptState,
  error: Errors.HttpError,
  reason: Decide.ResendReason
): Effect.Effect<void> => {
  const call = attempt.call
  if (call.cfg.metrics) updateMetric(Metrics.resends, 1, labelOf("reason", reason))
  const fields = {
    "steadfast.attempt": attempt.n,
    "steadfast.error": error._tag,
    "steadfast.phase": attempt.phaseName,
    "steadfast.reason": reason
  }
  call.span?.event("steadfast.resend", currentTimeNanos(call.cfg.clock), fields)
  const info = call.requestInfo
  if (reason === "refused-stream") {
    return Effect.annotateLogs(
      Effect.logDebug(
        `${info.method} ${info.url}: the server refused the HTTP/2 stream before processing it; sending the request again`
      ),
      fields
    )
  }
  if (reason === "stale-socket") {
    return logAt(
      call.cfg.retryLogLevel,
      () =>
        `${info.method} ${info.url}: the reused connection was closed by the server (${error._tag}); ` +
        "sending the request again on another connection",
      () => ({ ...fields, "steadfast.origin": call.url.origin })
    )
  }
  const proxy = attempt.route === undefined ? "the proxy" : redactUrl(attempt.route.url)
  const first = !call.cfg.warnedProxies.has(proxy)
  call.cfg.warnedProxies.add(proxy)
  const code = error._tag === "ProxyError" ? error.code : error._tag
  const message =
    `the proxy ${proxy} cannot be reached (${code}): sending the request directly (proxy.fallbackToDirect)`
  return Effect.annotateLogs(first ? Effect.logWarning(message) : Effect.logDebug(message), {
    ...fields,
    steadfast: "proxy"
  })
}

/** The request gives up after `attempt`: a span event (and a metric when the budget refused). @internal */
export const gaveUp = (attempt: AttemptState, error: Errors.HttpError, reason: Decide.GiveUpReason): void => {
  const call = attempt.call
  if (reason === "budget" && call.cfg.metrics) {
    updateMetric(Metrics.retriesRefused, 1, labelOf("reason", reason))
  }
  call.span?.event("steadfast.attempt_failed", currentTimeNanos(call.cfg.clock), {
    "steadfast.attempt": attempt.n,
    "steadfast.error": error._tag,
    "steadfast.phase": attempt.phaseName,
    "steadfast.reason": reason
  })
}

/** One line for a history: `#1 ConnectionReset (written, reused) -> resend: stale-socket; #2 Success 200`. @internal */
export const describe = (records: ReadonlyArray<Errors.AttemptRecord>): string =>
  records.map((r) =>
    `#${r.attempt} ${r.tag}${r.status === undefined ? "" : ` ${r.status}`}` +
    `${r.phase === undefined ? "" : ` (${r.phase}${r.reusedSocket === true ? ", reused connection" : ""})`}` +
    (r.decision === undefined
      ? ""
      : ` -> ${r.decision}${r.reason === undefined ? "" : `: ${r.reason}`}${
        r.decision === "retry" ? ` in ${Duration.format(Duration.millis(r.delayMs))}` : ""
      }`)
  ).join("; ")

/**
 * The request is over: latency and error metrics, the span's attempt count,
 * the history for `withHistory`, and a Debug line with the history when
 * there was more than one attempt. `later`: the line runs after other
 * effects (the end's hooks), so Debug is asked for when it runs.
 *
 * @internal
 */
export const finished = (
  call: Call,
  cause: Cause.Cause<Errors.HttpError> | undefined,
  later = false
): Effect.Effect<void> | undefined => {
  const cfg = call.cfg
  const now = call.now()
  if (cfg.metrics) {
    updateMetric(Metrics.latency, now - call.startedAt, noLabels)
    if (cause !== undefined && !Cause.isInterruptedOnly(cause)) {
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") updateMetric(Metrics.errors, 1, labelOf("error", failure.value._tag))
    }
  }
  const sending = call.sending
  if (sending !== undefined && !sending.ended) {
    trace.ended(call, sending, cause === undefined ? undefined : "interrupted", now)
  }
  if (call.span !== undefined) {
    call.span.attribute("steadfast.attempts", call.attempts)
    if (cause !== undefined) {
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") call.span.attribute("error.type", trace.errorType(failure.value))
    }
  }
  const history = call.history
  const collector = call.collector
  if (history === undefined && collector === undefined) return undefined
  // the level read now from the call's fiber (which runs this), unless something runs before the line
  // (`later`: the end's hooks), which might change it: then read when the line would be logged
  const debug = history !== undefined &&
    (later || !LogLevel.lessThan(LogLevel.Debug, call.fiber.getFiberRef(FiberRef.currentMinimumLogLevel)))
  if (collector === undefined && !debug) return undefined
  const records = withSuccess(call, cause, now)
  if (collector !== undefined) collector.push(...records)
  if (!debug || records.length < 2) return undefined
  const line = () => {
    const info = call.requestInfo
    return Effect.logDebug(`${info.method} ${info.url}: ${records.length} attempts: ${describe(records)}`)
  }
  if (!later) return line()
  return Effect.withFiberRuntime((fiber) =>
    LogLevel.lessThan(LogLevel.Debug, fiber.getFiberRef(FiberRef.currentMinimumLogLevel)) ? Effect.void : line()
  )
}

/** The history, with a record for the attempt that succeeded. */
const withSuccess = (
  call: Call,
  cause: Cause.Cause<Errors.HttpError> | undefined,
  now: number
): ReadonlyArray<Errors.AttemptRecord> => {
  const history = call.history ?? []
  const attempt = call.current
  if (cause !== undefined || attempt === undefined) return history
  // fields added one by one, as `Call.record` does: fields after a spread in a literal take V8's slow path
  const success: { -readonly [K in keyof Errors.AttemptRecord]: Errors.AttemptRecord[K] } = {
    attempt: attempt.n,
    tag: "Success",
    delayMs: 0,
    elapsedMs: now - call.startedAt,
    phase: attempt.phaseName
  }
  if (attempt.status !== undefined) success.status = attempt.status
  if (attempt.reusedSocket) success.reusedSocket = true
  if (hedgedAttempts.has(attempt)) success.hedged = true
  const records = history.slice()
  records.push(success)
  return records
}
