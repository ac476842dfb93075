/**
 * The error tags as a set: every class listed once under its tag, a guard
 * per tag, the connection and timeout groups, and which errors may have
 * reached the server. The messages are in Errors.test.ts.
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Errors } from "@steadfast/core"
import { all, fixtures } from "./helpers/errorFixtures.js"

const guards: { readonly [T in Errors.Tag]: (u: unknown) => boolean } = {
  DnsError: Errors.isDnsError,
  ConnectionRefused: Errors.isConnectionRefused,
  ConnectionReset: Errors.isConnectionReset,
  NetworkUnreachable: Errors.isNetworkUnreachable,
  TlsError: Errors.isTlsError,
  ProxyError: Errors.isProxyError,
  TransportError: Errors.isTransportError,
  PoolTimeout: Errors.isPoolTimeout,
  ConnectTimeout: Errors.isConnectTimeout,
  ResponseTimeout: Errors.isResponseTimeout,
  BodyTimeout: Errors.isBodyTimeout,
  DeadlineExceeded: Errors.isDeadlineExceeded,
  StatusError: Errors.isStatusError,
  TooManyRedirects: Errors.isTooManyRedirects,
  RedirectBlocked: Errors.isRedirectBlocked,
  BodyTooLarge: Errors.isBodyTooLarge,
  InvalidUrl: Errors.isInvalidUrl,
  InvalidRequest: Errors.isInvalidRequest,
  DecodeError: Errors.isDecodeError,
  RateLimited: Errors.isRateLimited,
  CircuitOpen: Errors.isCircuitOpen,
  BulkheadRejected: Errors.isBulkheadRejected
}

const CONNECTION: ReadonlyArray<Errors.Tag> = [
  "DnsError",
  "ConnectionRefused",
  "ConnectionReset",
  "NetworkUnreachable",
  "TlsError",
  "ProxyError",
  "TransportError"
]
const TIMEOUT: ReadonlyArray<Errors.Tag> = [
  "PoolTimeout",
  "ConnectTimeout",
  "ResponseTimeout",
  "BodyTimeout",
  "DeadlineExceeded"
]

describe("Errors", () => {
  describe("tags", () => {
    it("lists every error class exactly once", () => {
      const classTags = Object.values(Errors)
        .filter((v): v is typeof v & { readonly _tag: string } =>
          typeof v === "function" && "_tag" in v && typeof v._tag === "string"
        )
        .map((c) => c._tag)
        // not a failure of a request: building a client with bad options
        .filter((tag) => tag !== "InvalidOptions")
      strictEqual(classTags.length, 22)
      strictEqual(new Set(Errors.tags).size, Errors.tags.length)
      deepStrictEqual([...Errors.tags].sort(), classTags.sort())
    })

    it("is in the order of the taxonomy: connection, timeout, then the rest", () => {
      deepStrictEqual(Errors.tags, [
        ...CONNECTION,
        ...TIMEOUT,
        "StatusError",
        "TooManyRedirects",
        "RedirectBlocked",
        "BodyTooLarge",
        "InvalidUrl",
        "InvalidRequest",
        "DecodeError",
        "RateLimited",
        "CircuitOpen",
        "BulkheadRejected"
      ])
    })

    it.each(Errors.tags)("the %s fixture has that _tag", (tag) => {
      strictEqual(fixtures(1)[tag]._tag, tag)
    })
  })

  describe("guards", () => {
    const errors = all(fixtures(1))

    it.each(Errors.tags)("is%s is true for that class only", (tag) => {
      deepStrictEqual(
        errors.filter((e) => guards[tag](e)).map((e) => e._tag),
        [tag]
      )
    })

    it("isConnectionError is true for the connection family only", () => {
      deepStrictEqual(errors.filter(Errors.isConnectionError).map((e) => e._tag), CONNECTION)
    })

    it("isTimeoutError is true for the timeout family only", () => {
      deepStrictEqual(errors.filter(Errors.isTimeoutError).map((e) => e._tag), TIMEOUT)
    })

    it("isHttpError is true for every class", () => {
      deepStrictEqual(errors.filter(Errors.isHttpError).map((e) => e._tag), Errors.tags)
    })

    it.each([
      { what: "undefined", value: undefined },
      { what: "null", value: null },
      { what: "a string that is a tag", value: "DnsError" },
      { what: "a plain Error", value: new Error("DnsError") },
      { what: "an unknown _tag", value: { _tag: "BreakerTripped" } },
      { what: "a non-string _tag", value: { _tag: 1 } },
      { what: "an Effect error from elsewhere", value: { _tag: "TimeoutException" } }
    ])("every guard is false for $what", ({ value }) => {
      assertFalse(Errors.isHttpError(value))
      assertFalse(Errors.isConnectionError(value))
      assertFalse(Errors.isTimeoutError(value))
      for (const tag of Errors.tags) assertFalse(guards[tag](value), tag)
    })
  })

  describe("mayHaveReachedServer", () => {
    const f = fixtures(1)
    const reset = (requestSent: boolean) => new Errors.ConnectionReset({ ...f.ConnectionReset, requestSent }, true)
    const transport = (requestSent: boolean) => new Errors.TransportError({ ...f.TransportError, requestSent }, true)

    it.each([
      { name: "DnsError", error: f.DnsError, reached: false },
      { name: "ConnectionRefused", error: f.ConnectionRefused, reached: false },
      { name: "NetworkUnreachable", error: f.NetworkUnreachable, reached: false },
      { name: "TlsError", error: f.TlsError, reached: false },
      {
        name: "TlsError handshake",
        error: new Errors.TlsError({ ...f.TlsError, reason: "handshake" }, true),
        reached: false
      },
      { name: "ProxyError", error: f.ProxyError, reached: false },
      { name: "PoolTimeout", error: f.PoolTimeout, reached: false },
      { name: "ConnectTimeout", error: f.ConnectTimeout, reached: false },
      { name: "InvalidUrl", error: f.InvalidUrl, reached: false },
      { name: "InvalidRequest", error: f.InvalidRequest, reached: false },
      { name: "ConnectionReset, request not sent", error: reset(false), reached: false },
      { name: "ConnectionReset, request sent", error: reset(true), reached: true },
      { name: "TransportError, request not sent", error: transport(false), reached: false },
      { name: "TransportError, request sent", error: transport(true), reached: true },
      { name: "ResponseTimeout", error: f.ResponseTimeout, reached: true },
      { name: "BodyTimeout", error: f.BodyTimeout, reached: true },
      { name: "DeadlineExceeded", error: f.DeadlineExceeded, reached: true },
      { name: "StatusError", error: f.StatusError, reached: true },
      { name: "TooManyRedirects", error: f.TooManyRedirects, reached: true },
      { name: "RedirectBlocked", error: f.RedirectBlocked, reached: true },
      { name: "BodyTooLarge", error: f.BodyTooLarge, reached: true },
      { name: "DecodeError", error: f.DecodeError, reached: true },
      { name: "RateLimited", error: f.RateLimited, reached: false },
      { name: "CircuitOpen", error: f.CircuitOpen, reached: false },
      { name: "BulkheadRejected", error: f.BulkheadRejected, reached: false }
    ])("$name: $reached", ({ error, reached }) => {
      strictEqual(Errors.mayHaveReachedServer(error), reached)
    })
  })
})
