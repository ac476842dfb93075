/**
 * Safe causes: what an error keeps of the foreign error that caused it.
 *
 * A transport's error holds whatever it was working with: @effect/platform's
 * `RequestError` holds the whole request (its `Authorization`, cookies, the
 * url with its token), undici's errors hold sockets and options. Any of that
 * reachable from a steadfast error ends up in `JSON.stringify`,
 * `util.inspect`, Effect's JSON and structured loggers and span exit data.
 * So an error never keeps the foreign error itself: it keeps a
 * {@link CauseSummary} with what a user debugs with — the name, the code,
 * `syscall`, `address`, `port`, `errno`, `hostname`, the platform's
 * `reason`, a redacted message and stack — and the same for the causes
 * inside it. Steadfast errors are kept as they are: they are safe when built.
 *
 * Pure: no Effect runtime.
 *
 * @internal
 */
import { platformFields } from "#line/platformReason"
import { isSensitiveHeader, redactBody, redactFreeText, redactHeaders } from "./redact.js"

const SummaryBrand = Symbol.for("@steadfast/core/CauseSummary")
const HttpErrorBrand = Symbol.for("@steadfast/core/Errors/HttpError")

/** The primitive fields kept from a foreign error. */
const KEPT = ["code", "errno", "syscall", "address", "port", "hostname", "reason", "status", "limit"] as const

const MAX_DEPTH = 8
const MAX_ERRORS = 16

/**
 * What an error keeps of a foreign cause. It is an `Error` (so `Cause.pretty`
 * and loggers render it as one) whose fields are safe to print.
 *
 * @internal
 */
export class CauseSummary extends Error {
  readonly [SummaryBrand] = true
  code?: string | number
  errno?: number
  syscall?: string
  address?: string
  port?: number
  hostname?: string
  reason?: string
  status?: number
  limit?: number
  errors?: ReadonlyArray<unknown>

  constructor(name: string, message: string, stack: string | undefined) {
    super(message)
    this.name = name
    if (stack === undefined) delete (this as { stack?: string }).stack
    else this.stack = stack
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message }
    for (const key of KEPT) if (this[key] !== undefined) out[key] = this[key]
    if (this.cause !== undefined) out.cause = toJSONish(this.cause)
    if (this.errors !== undefined) out.errors = this.errors.map(toJSONish)
    return out
  }
}

const toJSONish = (u: unknown): unknown =>
  typeof u === "object" && u !== null && typeof (u as { toJSON?: unknown }).toJSON === "function"
    ? (u as { toJSON(): unknown }).toJSON()
    : u

/** Marks a class's instances as safe causes (the steadfast errors). @internal */
export const markSafe = (prototype: object): void => {
  Object.defineProperty(prototype, HttpErrorBrand, { value: true })
}

const isSafe = (u: object): boolean =>
  (u as { readonly [SummaryBrand]?: boolean })[SummaryBrand] === true ||
  (u as { readonly [HttpErrorBrand]?: boolean })[HttpErrorBrand] === true

const str = (u: unknown): string | undefined => typeof u === "string" ? u : undefined

/** The message of a foreign error, read without trusting its getters. */
const messageOf = (o: Record<string, unknown>): string => {
  try {
    const m = o["message"]
    return typeof m === "string" ? m : ""
  } catch {
    return ""
  }
}

/** A stack with its message lines redacted; frames are code locations and kept. */
const redactStack = (stack: string, name: string, message: string): string => {
  // a stack without frames (an error built with `Error.stackTraceLimit = 0`): its first line alone
  if (!stack.includes("\n") && !/^\s+at /.test(stack)) return `${name}: ${message}`
  const frames = stack.split("\n").filter((line) => /^\s+at /.test(line))
  return [`${name}: ${message}`, ...frames].join("\n")
}

const summarize = (u: unknown, depth: number, seen: Set<unknown>): unknown => {
  if (u === undefined || u === null) return u
  if (typeof u === "string") return redactFreeText(u)
  if (typeof u !== "object") return typeof u === "function" ? "[function]" : u
  if (isSafe(u)) return u
  if (seen.has(u) || depth >= MAX_DEPTH) return undefined
  seen.add(u)
  const o = u as Record<string, unknown>
  let name: string
  try {
    name = str(o["name"]) ?? str(o["_tag"]) ?? (u as object).constructor?.name ?? "Error"
  } catch {
    name = "Error"
  }
  const message = redactFreeText(messageOf(o))
  let rawStack: string | undefined
  try {
    rawStack = str(o["stack"])
  } catch {
    rawStack = undefined
  }
  const summary = new CauseSummary(
    name,
    message,
    rawStack === undefined ? undefined : redactStack(rawStack, name, message)
  )
  for (const key of KEPT) {
    let value: unknown
    try {
      value = o[key]
    } catch {
      continue
    }
    if (typeof value === "string") {
      ;(summary as unknown as Record<string, unknown>)[key] = key === "code" ? value : redactFreeText(value)
    } else if (typeof value === "number") {
      ;(summary as unknown as Record<string, unknown>)[key] = value
    }
  }
  // a platform error's reason and cause as Effect 3 has them (Effect 4 keeps both on an error in `reason`)
  const platform = platformFields(o)
  if (platform !== undefined) summary.reason = platform.reason
  let cause: unknown
  try {
    cause = platform !== undefined ? platform.cause : o["cause"]
  } catch {
    cause = undefined
  }
  if (cause !== undefined) {
    const inner = summarize(cause, depth + 1, seen)
    if (inner !== undefined) {
      Object.defineProperty(summary, "cause", { value: inner, enumerable: false, writable: true, configurable: true })
    }
  }
  const errors = Array.isArray(o["errors"]) ? (o["errors"] as ReadonlyArray<unknown>) : undefined
  if (errors !== undefined) {
    summary.errors = errors.slice(0, MAX_ERRORS).map((e) => summarize(e, depth + 1, seen))
  }
  return summary
}

/**
 * A cause that is safe to keep: steadfast errors and summaries as they
 * are, text redacted, a foreign error (and its causes) summarised.
 *
 * @internal
 */
export const safeCause = (cause: unknown): unknown => summarize(cause, 0, new Set())

const URL_FIELDS = ["location", "proxy"] as const
const TEXT_FIELDS = ["reason", "description"] as const

/**
 * The props of a steadfast error, safe: the cause summarised, headers with
 * secrets redacted, text fields that may quote a foreign message redacted.
 * Fields steadfast builds redacted already (the request's url) are kept.
 *
 * @internal
 */
export const safeProps = <P>(props: P): P => {
  if (props === null || typeof props !== "object") return props
  const p = props as Record<string, unknown>
  let out: Record<string, unknown> | undefined
  const set = (key: string, value: unknown) => {
    if (value === p[key]) return
    out ??= { ...p }
    out[key] = value
  }
  if (p["cause"] !== undefined) set("cause", safeCause(p["cause"]))
  const headers = p["headers"]
  if (headers !== null && typeof headers === "object" && Object.keys(headers).some(isSensitiveHeader)) {
    set("headers", redactHeaders(headers as Record<string, string>))
  }
  for (const key of TEXT_FIELDS) {
    const value = p[key]
    if (typeof value === "string") set(key, redactFreeText(value))
  }
  // a failure body (StatusError.body) may echo what was sent: a token, a password
  if (typeof p["body"] === "string") set("body", redactBody(p["body"]))
  for (const key of URL_FIELDS) {
    const value = p[key]
    if (typeof value === "string" && value.includes("@")) set(key, redactFreeText(value))
  }
  return (out ?? props) as P
}
