/**
 * The client builds a failure status's `StatusError` safe as it builds it
 * (headers and body redacted in place) and skips the constructor's
 * `safeProps` pass and its copy of the props (`builtSafe`). What it builds
 * must be what the constructor's own pass makes of the same response: the
 * same `toJSON`, `util.inspect`, message and fields, for any headers and
 * body (fast-check, fixed seed), and no secret in any rendering.
 */
import * as Effect from "#line/Effect"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertFalse, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Errors, type Hooks } from "@steadfast/core"
import * as FC from "effect/FastCheck"
import * as util from "node:util"
import { redactHeaders } from "../src/internal/redact.js"
import { after, expectFailure, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const noRetry = { retry: { retries: 0 } } as const

/** Header names: sensitive ones (built in, by word, the client's own), and plain ones. */
const headerName = FC.constantFrom(
  "authorization",
  "set-cookie",
  "x-api-key",
  "x-session-token",
  "x-client-secret",
  "x-tenant-key",
  "content-type",
  "retry-after",
  "x-request-id",
  "etag",
  "server"
)
/** Names whose values must never show (the last one is secret for this client only: `redirects.sensitiveHeaders`). */
const secretHeaders = new Set(["authorization", "set-cookie", "x-api-key", "x-session-token", "x-client-secret"])
const sensitiveHeaders = ["x-tenant-key"]

const text = FC.string({ maxLength: 40 }).map((s) => s.replace(/SECRET/g, "").replace(/[\r\n]/g, " "))

/** A failure body: plain text, or JSON that may echo secrets back (member names the redaction knows). */
const body = FC.oneof(
  text,
  FC.record({
    error: text,
    access_token: FC.constant("SECRET-token"),
    password: FC.constant("SECRET-password"),
    code: FC.integer({ min: 0, max: 999 })
  }, { requiredKeys: ["error"] }).map((value) => JSON.stringify(value)),
  FC.constant("Bearer SECRET-bearer rejected"),
  FC.constant("x".repeat(1500))
)

const reply = FC.record({
  status: FC.constantFrom(400, 401, 403, 404, 409, 429, 500, 503),
  headers: FC.array(FC.tuple(headerName, text), { maxLength: 6 }),
  contentType: FC.constantFrom("application/json", "text/plain; charset=utf-8", "application/octet-stream"),
  retryAfter: FC.option(FC.constantFrom("0", "7", "120"), { nil: undefined }),
  body
})

const renderings = (error: unknown) => [
  JSON.stringify(error),
  util.inspect(error, { depth: Infinity, showHidden: true }),
  String(error),
  (error as Error).message
]

describe("a StatusError built safe by the client", () => {
  it.effect("equals what the constructor's own redaction makes of the same response, and keeps no secret", () =>
    Effect.gen(function*() {
      const samples = FC.sample(reply, { seed: 4242, numRuns: 150 })
      for (const sample of samples) {
        const headers: Record<string, string> = {}
        for (const [name, value] of sample.headers) {
          headers[name] = secretHeaders.has(name) || name === "x-tenant-key" ? `SECRET-${value}` : value
        }
        headers["content-type"] = sample.contentType
        if (sample.retryAfter === undefined) delete headers["retry-after"]
        else headers["retry-after"] = sample.retryAfter
        const mem = Mem.make(Mem.sequence({ status: sample.status, headers, body: sample.body }))
        const get = HttpClientRequest.get("https://api.test/items?access_token=SECRET-query&page=2")
        // the attempt's error as built (hooks see it; the request's final error is rebuilt from it)
        const seen: Array<Errors.HttpError> = []
        const hooks = { afterAttempt: ({ error }: Hooks.AfterAttempt) => Effect.sync(() => error && seen.push(error)) }
        const result = yield* after(
          withClient(mem, { ...noRetry, hooks, redirects: { sensitiveHeaders } }, (c) => c.execute(get)),
          "1 second"
        )
        expectFailure(result, "StatusError")
        strictEqual(seen.length, 1)
        const error = seen[0] as Errors.StatusError

        // what the client built before: redacted headers and the raw preview, through the constructor's
        // pass; stackless, as the attempt's error is
        const preview = new TextDecoder().decode(new TextEncoder().encode(sample.body).subarray(0, 1024))
        const limit = Error.stackTraceLimit
        Error.stackTraceLimit = 0
        const expected = new Errors.StatusError({
          request: error.request,
          attempts: error.attempts,
          history: error.history,
          status: sample.status,
          headers: redactHeaders(headers, new Set(sensitiveHeaders)),
          ...(sample.retryAfter === undefined ? {} : { retryAfterMs: Number(sample.retryAfter) * 1000 }),
          ...(sample.contentType === "application/octet-stream" || preview.length === 0 ? {} : { body: preview })
        }, true)
        Error.stackTraceLimit = limit

        deepStrictEqual(Object.keys(error), Object.keys(expected))
        deepStrictEqual(error.toJSON(), expected.toJSON())
        strictEqual(JSON.stringify(error), JSON.stringify(expected))
        strictEqual(util.inspect(error, { depth: Infinity }), util.inspect(expected, { depth: Infinity }))
        strictEqual(error.message, expected.message)
        for (const rendering of renderings(error)) assertFalse(rendering.includes("SECRET"), rendering)
        strictEqual(error.stack, expected.stack)
      }
    }))
})
