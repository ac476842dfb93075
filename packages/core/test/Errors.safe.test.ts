/**
 * An error keeps no secret, whoever builds it: the constructor summarises
 * the cause and redacts headers and quoted text.
 */
import * as Cause from "#line/Cause"
import { requestError } from "#line/platformError"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Errors, Redact } from "@steadfast/core"
import * as util from "node:util"

const request = HttpClientRequest.get("https://user:pw-SECRET@api.test/x?access_token=tok-SECRET&page=1").pipe(
  HttpClientRequest.setHeaders({ authorization: "Bearer bearer-SECRET", "x-custom": "custom-SECRET" })
)
const nodeError = Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), {
  code: "ECONNREFUSED",
  errno: -111,
  syscall: "connect",
  address: "10.0.0.1",
  port: 443,
  options: { headers: { authorization: "Bearer bearer-SECRET" } }
})
const platformError = requestError({ request, reason: "Transport", cause: nodeError })
const info = { method: "GET", url: Redact.url("https://user:pw@api.test/x") }

const renderings = (error: unknown) => [
  JSON.stringify(error),
  util.inspect(error, { depth: Infinity, showHidden: true }),
  Cause.pretty(Cause.fail(error), { renderErrorCause: true }),
  String(error),
  (error as Error).stack ?? ""
]

describe("errors keep no secret", () => {
  it("a platform RequestError as cause becomes a summary with what a user debugs with", () => {
    const error = new Errors.ConnectionRefused({
      request: info,
      attempts: 1,
      history: [],
      address: "10.0.0.1",
      port: 443,
      cause: platformError
    })
    for (const text of renderings(error)) assertFalse(text.includes("SECRET"), text)
    const cause = error.cause as Error & { reason?: string; cause?: Record<string, unknown> }
    // the platform error's own name: RequestError on Effect 3, HttpClientError on Effect 4
    strictEqual(cause.name, platformError.name)
    strictEqual(cause.reason, "Transport")
    assertTrue(cause.message.includes("access_token=<redacted>"), cause.message)
    const inner = cause.cause!
    deepStrictEqual(
      [inner["code"], inner["errno"], inner["syscall"], inner["address"], inner["port"], inner["options"]],
      ["ECONNREFUSED", -111, "connect", "10.0.0.1", 443, undefined]
    )
    assertTrue(inner instanceof Error)
  })

  it("a steadfast error as cause is kept as it is", () => {
    const inner = new Errors.BodyTooLarge({ request: info, attempts: 1, history: [], limit: 10 })
    const error = new Errors.DeadlineExceeded({ request: info, attempts: 1, history: [], deadlineMs: 5, cause: inner })
    strictEqual(error.cause, inner)
  })

  it("StatusError headers: set-cookie and credentials are redacted, the rest kept", () => {
    const error = new Errors.StatusError({
      request: info,
      attempts: 1,
      history: [],
      status: 401,
      headers: { "set-cookie": "sid=cookie-SECRET", "www-authenticate": "Bearer", "x-request-id": "r1" }
    })
    deepStrictEqual(error.headers, {
      "set-cookie": Redact.REDACTED,
      "www-authenticate": "Bearer",
      "x-request-id": "r1"
    })
    for (const text of renderings(error)) assertFalse(text.includes("SECRET"), text)
  })

  it("quoted text (reason, description) is redacted", () => {
    const error = new Errors.TransportError({
      request: info,
      attempts: 1,
      history: [],
      reason: "unknown",
      code: "X",
      description: "failed GET https://u:pw-SECRET@h.test/?token=t-SECRET with Authorization: Bearer b-SECRET",
      requestSent: false
    })
    for (const text of renderings(error)) assertFalse(text.includes("SECRET"), text)
  })

  it("causes that are cycles, deep chains, odd values or throwing getters are summarised without throwing", () => {
    const cyclic = new Error("loop") as Error & { cause?: unknown }
    cyclic.cause = cyclic
    const hostile = Object.defineProperty(new Error("boom"), "code", {
      get() {
        throw new Error("getter")
      }
    })
    const deep = Array.from({ length: 100 }).reduce<unknown>((cause) => new Error("wrap", { cause }), new Error("root"))
    for (const cause of [cyclic, hostile, deep, "text token=t-SECRET", 42, null, { a: 1 }]) {
      const error = new Errors.TransportError({
        request: info,
        attempts: 1,
        history: [],
        reason: "unknown",
        code: "X",
        description: "d",
        requestSent: false,
        cause
      })
      for (const text of renderings(error)) assertFalse(text.includes("SECRET"), text)
    }
  })
})
