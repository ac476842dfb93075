/**
 * Retry's rules for every error tag: which failures are transient, and which
 * are retried for which methods (the request provably never reached the
 * server, may have reached it, or the failure is permanent). The backoff
 * schedules and the policy are in Retry.test.ts.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual } from "@effect/vitest/utils"
import { Errors, Retry } from "@steadfast/core"

// --- errors --------------------------------------------------------------------

const common = { request: { method: "GET", url: "https://api.test/items" }, attempts: 1, history: [] }

const dns = new Errors.DnsError({ ...common, hostname: "api.test", code: "ENOTFOUND", temporary: false }, true)
const refused = new Errors.ConnectionRefused({ ...common, address: "10.0.0.1", port: 443 }, true)
const unreachable = new Errors.NetworkUnreachable({ ...common, code: "ENETUNREACH" }, true)
const connectTimeout = new Errors.ConnectTimeout({ ...common, timeoutMs: 5_000 }, true)
const resetUnsent = new Errors.ConnectionReset(
  { ...common, code: "ECONNRESET", phase: "before-response", requestSent: false },
  true
)
const resetSent = new Errors.ConnectionReset(
  { ...common, code: "ECONNRESET", phase: "before-response", requestSent: true },
  true
)
const resetInBody = new Errors.ConnectionReset(
  { ...common, code: "ECONNRESET", phase: "during-body", requestSent: true },
  true
)
const proxyDown = new Errors.ProxyError({ ...common, proxy: "http://proxy.test:3128", code: "ECONNREFUSED" }, true)
const proxy502 = new Errors.ProxyError(
  { ...common, proxy: "http://proxy.test:3128", code: "UND_ERR_ABORTED", status: 502 },
  true
)
const proxy407 = new Errors.ProxyError(
  { ...common, proxy: "http://proxy.test:3128", code: "UND_ERR_ABORTED", status: 407 },
  true
)
const proxy403 = new Errors.ProxyError(
  { ...common, proxy: "http://proxy.test:3128", code: "UND_ERR_ABORTED", status: 403 },
  true
)
const responseTimeout = new Errors.ResponseTimeout({ ...common, timeoutMs: 30_000 }, true)
const bodyTimeout = new Errors.BodyTimeout({ ...common, timeoutMs: 30_000, bytesReceived: 10 }, true)
const malformedSent = new Errors.TransportError({
  ...common,
  reason: "malformed-response",
  code: "HPE_INVALID_CONSTANT",
  description: "bad response",
  requestSent: true
}, true)
const poolClosed = new Errors.TransportError({
  ...common,
  reason: "closed",
  code: "UND_ERR_DESTROYED",
  description: "pool closed",
  requestSent: false
}, true)
const status = (code: number) => new Errors.StatusError({ ...common, status: code, headers: {} }, true)
const tls = (reason: Errors.TlsReason) => new Errors.TlsError({ ...common, reason, code: "TLS" }, true)
const deadline = new Errors.DeadlineExceeded({ ...common, deadlineMs: 120_000 }, true)
const tooLarge = new Errors.BodyTooLarge({ ...common, limit: 1024 }, true)
const invalidUrl = new Errors.InvalidUrl({ ...common, reason: "no scheme" }, true)
const invalidRequest = new Errors.InvalidRequest({ ...common, reason: "CR in header" }, true)
const decode = new Errors.DecodeError({ ...common, status: 200, reason: "not JSON" }, true)
const tooManyRedirects = new Errors.TooManyRedirects({ ...common, max: 10, chain: [], loop: false }, true)
const redirectBlocked = new Errors.RedirectBlocked(
  { ...common, location: "http://api.test/", reason: "downgrade" },
  true
)

interface Case {
  readonly name: string
  readonly error: Errors.HttpError
}

/** Transient, and the request provably never reached the server. */
const neverReached: ReadonlyArray<Case> = [
  { name: "DnsError", error: dns },
  { name: "ConnectionRefused", error: refused },
  { name: "NetworkUnreachable", error: unreachable },
  { name: "ConnectTimeout", error: connectTimeout },
  { name: "ConnectionReset, request not sent", error: resetUnsent },
  { name: "ProxyError without status", error: proxyDown },
  { name: "ProxyError 502", error: proxy502 }
]

/** Transient, but the request may have reached the server. */
const mayHaveReached: ReadonlyArray<Case> = [
  { name: "ConnectionReset, request sent", error: resetSent },
  { name: "ConnectionReset during the body", error: resetInBody },
  { name: "ResponseTimeout", error: responseTimeout },
  { name: "BodyTimeout", error: bodyTimeout },
  ...[408, 429, 500, 502, 503, 504].map((code) => ({ name: `StatusError ${code}`, error: status(code) }))
]

/** Never retried by the default policy, whatever the method. */
const permanent: ReadonlyArray<Case> = [
  ...(["self-signed", "expired", "hostname-mismatch", "untrusted", "handshake"] as const).map((reason) => ({
    name: `TlsError ${reason}`,
    error: tls(reason)
  })),
  { name: "ProxyError 407", error: proxy407 },
  // a server bug: sending again gets the same bytes
  { name: "TransportError malformed-response", error: malformedSent },
  // the client is saturated: waiting again adds load to a full pool
  {
    name: "PoolTimeout",
    error: new Errors.PoolTimeout(
      { ...common, timeoutMs: 30_000, origin: "https://api.test", requestSent: false },
      true
    )
  },
  { name: "ProxyError 403 (the proxy forbids the tunnel)", error: proxy403 },
  { name: "TransportError closed", error: poolClosed },
  { name: "DeadlineExceeded", error: deadline },
  { name: "BodyTooLarge", error: tooLarge },
  { name: "InvalidUrl", error: invalidUrl },
  { name: "InvalidRequest", error: invalidRequest },
  { name: "DecodeError", error: decode },
  { name: "TooManyRedirects", error: tooManyRedirects },
  { name: "RedirectBlocked", error: redirectBlocked },
  ...[400, 401, 403, 404, 409, 422, 501, 505].map((code) => ({ name: `StatusError ${code}`, error: status(code) }))
]

const IDEMPOTENT = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"] as const
const NON_IDEMPOTENT = ["POST", "PATCH"] as const

const cross = <M extends string>(methods: ReadonlyArray<M>, cases: ReadonlyArray<Case>) =>
  methods.flatMap((method) => cases.map((c) => ({ method, ...c })))

const noHeaders: Readonly<Record<string, string>> = {}
const withKey = HttpClientRequest.post("https://api.test/items").pipe(
  HttpClientRequest.setHeader("Idempotency-Key", "8e03978e-40d5-43e8-bc93-6894a57f9324")
).headers

describe("Retry", () => {
  describe("isTransient", () => {
    it.each([...neverReached, ...mayHaveReached])("$name is transient", ({ error }) => {
      assertTrue(Retry.isTransient()(error))
    })

    it.each(permanent)("$name is not transient", ({ error }) => {
      assertFalse(Retry.isTransient()(error))
    })
  })

  describe("isRetryable", () => {
    const p = Retry.defaults

    it.each(cross(IDEMPOTENT, [...neverReached, ...mayHaveReached]))(
      "$method is retried after $name",
      ({ error, method }) => {
        assertTrue(Retry.isRetryable(p, error, method, noHeaders))
      }
    )

    it.each(cross(NON_IDEMPOTENT, neverReached))(
      "$method is retried after $name (it never reached the server)",
      ({ error, method }) => {
        assertTrue(Retry.isRetryable(p, error, method, noHeaders))
      }
    )

    it.each(cross(NON_IDEMPOTENT, mayHaveReached))(
      "$method is not retried after $name (it may have reached the server)",
      ({ error, method }) => {
        assertFalse(Retry.isRetryable(p, error, method, noHeaders))
      }
    )

    it.each(cross(NON_IDEMPOTENT, mayHaveReached))(
      "$method with an Idempotency-Key header is retried after $name",
      ({ error, method }) => {
        assertTrue(Retry.isRetryable(p, error, method, withKey))
      }
    )

    it.each(cross(NON_IDEMPOTENT, mayHaveReached))(
      "$method under retryNonIdempotent is retried after $name",
      ({ error, method }) => {
        assertTrue(Retry.isRetryable(Retry.policy({ retryNonIdempotent: true }), error, method, noHeaders))
      }
    )

    it.each(cross([...IDEMPOTENT, ...NON_IDEMPOTENT], permanent))(
      "$method is never retried after $name, even with an Idempotency-Key and retryNonIdempotent",
      ({ error, method }) => {
        assertFalse(Retry.isRetryable(p, error, method, noHeaders))
        assertFalse(Retry.isRetryable(Retry.policy({ retryNonIdempotent: true }), error, method, withKey))
      }
    )

    it("GET: of the statuses 100-599, exactly 408, 429, 500, 502, 503 and 504 are retried", () => {
      const retried = Array.from({ length: 500 }, (_, i) => 100 + i)
        .filter((code) => Retry.isRetryable(p, status(code), "GET", noHeaders))
      deepStrictEqual(retried, [408, 429, 500, 502, 503, 504])
    })

    it.each(cross([...IDEMPOTENT, ...NON_IDEMPOTENT], [...neverReached, ...mayHaveReached]))(
      "$method is not retried after $name when the policy is disabled",
      ({ error, method }) => {
        assertFalse(Retry.isRetryable(Retry.none, error, method, withKey))
      }
    )

    it.each(NON_IDEMPOTENT)(
      "%s after a TLS handshake failure counts as never reached: retried when retryOn allows TLS errors",
      (method) => {
        const tlsToo = Retry.policy({ retryOn: (e) => e._tag === "TlsError" })
        assertTrue(Retry.isRetryable(tlsToo, tls("handshake"), method, noHeaders))
      }
    )

    it("a POST becomes retryable after any transient error when POST is listed as idempotent", () => {
      const p2 = Retry.policy({ idempotentMethods: [...Retry.defaultIdempotentMethods, "post"] })
      assertTrue(Retry.isRetryable(p2, responseTimeout, "POST", noHeaders))
      assertFalse(Retry.isRetryable(p2, responseTimeout, "PATCH", noHeaders))
    })
  })
})
