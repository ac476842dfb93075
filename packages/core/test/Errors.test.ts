import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Errors, Redact } from "@steadfast/core"

type ByTag = { readonly [T in Errors.Tag]: Extract<Errors.HttpError, { readonly _tag: T }> }

/** One instance of every error class; the mapped type makes a missing class a type error. */
const fixtures = (
  attempts: number,
  request: Errors.RequestInfo = { method: "POST", url: "https://api.test/v1/items" },
  redirectUrl: string = "https://api.test/v1/next"
): ByTag => {
  const common = { request, attempts, history: [] }
  return {
    DnsError: new Errors.DnsError({ ...common, hostname: "api.test", code: "ENOTFOUND", temporary: false }, true),
    ConnectionRefused: new Errors.ConnectionRefused({ ...common, address: "10.0.0.1", port: 8443 }, true),
    ConnectionReset: new Errors.ConnectionReset(
      { ...common, code: "ECONNRESET", phase: "before-response", requestSent: true },
      true
    ),
    NetworkUnreachable: new Errors.NetworkUnreachable({ ...common, code: "EHOSTUNREACH", address: "10.9.9.9" }, true),
    TlsError: new Errors.TlsError({ ...common, reason: "self-signed", code: "DEPTH_ZERO_SELF_SIGNED_CERT" }, true),
    ProxyError: new Errors.ProxyError(
      { ...common, proxy: "http://proxy.test:3128", code: "UND_ERR_ABORTED", status: 407 },
      true
    ),
    TransportError: new Errors.TransportError({
      ...common,
      reason: "malformed-response",
      code: "HPE_INVALID_CONSTANT",
      description: "the response was not HTTP",
      requestSent: true
    }, true),
    PoolTimeout: new Errors.PoolTimeout({
      ...common,
      timeoutMs: 30_000,
      origin: "https://api.test",
      inUse: 64,
      limit: 64,
      waiting: 4936,
      requestSent: false
    }, true),
    ConnectTimeout: new Errors.ConnectTimeout({ ...common, timeoutMs: 5_000 }, true),
    ResponseTimeout: new Errors.ResponseTimeout({ ...common, timeoutMs: 30_000 }, true),
    BodyTimeout: new Errors.BodyTimeout({ ...common, timeoutMs: 30_000, bytesReceived: 2048 }, true),
    DeadlineExceeded: new Errors.DeadlineExceeded(
      { ...common, deadlineMs: 120_000, lastError: "ResponseTimeout" },
      true
    ),
    StatusError: new Errors.StatusError(
      { ...common, status: 503, headers: { "retry-after": "120" }, retryAfterMs: 120_000 },
      true
    ),
    TooManyRedirects: new Errors.TooManyRedirects(
      { ...common, max: 2, chain: [request.url, redirectUrl, `${redirectUrl}/2`], loop: false },
      true
    ),
    RedirectBlocked: new Errors.RedirectBlocked({ ...common, location: redirectUrl, reason: "downgrade" }, true),
    BodyTooLarge: new Errors.BodyTooLarge({ ...common, limit: 1_048_576 }, true),
    InvalidUrl: new Errors.InvalidUrl({ ...common, reason: "the scheme must be http or https" }, true),
    InvalidRequest: new Errors.InvalidRequest({ ...common, reason: "header x-a has a CR or LF" }, true),
    DecodeError: new Errors.DecodeError({ ...common, status: 200, reason: "Unexpected token < in JSON" }, true),
    RateLimited: new Errors.RateLimited({ ...common, key: "https://api.test", waitMs: 90_000, reason: "quota" }, true),
    CircuitOpen: new Errors.CircuitOpen({
      ...common,
      key: "https://api.test",
      state: "open",
      retryInMs: 5_000,
      openedBy: "StatusError 503"
    }, true),
    BulkheadRejected: new Errors.BulkheadRejected({
      ...common,
      key: "https://api.test",
      reason: "queue-full",
      limit: 8,
      inFlight: 8,
      maxQueue: 4,
      queued: 4
    }, true)
  }
}

const all = (byTag: ByTag): Array<Errors.HttpError> => Errors.tags.map((tag) => byTag[tag])

/** What the message says happened, and the hint it gives, for each fixture. */
const rendering: { readonly [T in Errors.Tag]: { readonly what: string; readonly hint: string } } = {
  DnsError: { what: "could not resolve api.test (ENOTFOUND)", hint: "check the host name for typos" },
  ConnectionRefused: { what: "connection refused by 10.0.0.1:8443", hint: "Is the server running" },
  ConnectionReset: { what: "closed by the peer (ECONNRESET) before the response arrived", hint: "look for crashes" },
  NetworkUnreachable: { what: "10.9.9.9 is unreachable (EHOSTUNREACH)", hint: "Check the route to it" },
  TlsError: { what: "TLS failed, self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)", hint: "give its CA to the client" },
  ProxyError: { what: "the proxy http://proxy.test:3128 asks for credentials (407)", hint: "Put valid credentials" },
  TransportError: {
    what: "transport failed, the response was not HTTP (HPE_INVALID_CONSTANT)",
    hint: "is this port really an HTTP server?"
  },
  PoolTimeout: {
    what: "no free connection to https://api.test within 30s (64 of 64 connections in use, 4936 requests waiting)",
    hint: "raise the pool's connections or send fewer requests at once"
  },
  ConnectTimeout: { what: "no connection within 5s", hint: "raise `timeouts.connect`" },
  ResponseTimeout: { what: "no response headers within 30s", hint: "raise `timeouts.response`" },
  BodyTimeout: { what: "the body stalled for 30s after 2048 bytes", hint: "raise `timeouts.bodyIdle`" },
  DeadlineExceeded: {
    what: "the deadline of 2m ran out",
    hint: "Raise `timeouts.deadline`"
  },
  StatusError: { what: "the server answered 503 with Retry-After 2m", hint: "check the server's health" },
  TooManyRedirects: { what: "more than 2 redirects", hint: "Raise `redirects.max`" },
  RedirectBlocked: { what: "redirect to https://api.test/v1/next blocked (https to http)", hint: "allowDowngrade" },
  BodyTooLarge: { what: "passed the limit of 1048576 bytes", hint: "Raise `maxBodySize`" },
  InvalidUrl: {
    what: "invalid url, the scheme must be http or https",
    hint: "Use an absolute http:// or https:// url"
  },
  InvalidRequest: { what: "invalid request, header x-a has a CR or LF", hint: "Nothing was sent; fix the request" },
  DecodeError: { what: "could not decode the 200 response body: Unexpected token <", hint: "Check that the endpoint" },
  RateLimited: { what: "rate limited for https://api.test, the next slot is in 1m 30s", hint: "raise `maxWait`" },
  CircuitOpen: {
    what: "circuit breaker for https://api.test is open (opened by StatusError 503); the next probe may go in 5s",
    hint: "handle CircuitOpen with a fallback"
  },
  BulkheadRejected: {
    what: "the bulkhead for https://api.test is full (8 of 8 calls in flight, 4 of 4 queued)",
    hint: "raise the bulkhead's maxConcurrent or maxQueue"
  }
}

/** Raised before any attempt is made (the client gives them `attempts: 0`). */
const BEFORE_ANY_ATTEMPT: ReadonlyArray<Errors.Tag> = ["InvalidUrl", "InvalidRequest"]

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

const SECRET_URL = "https://alice:hunter2@api.test/v1/items?access_token=s3cr3tT0ken&page=2"
const SECRET_LOCATION = "https://bob:pa55w0rd@other.test/cb?code=0authC0de&sig=5ignature&state=xyz"

describe("Errors", () => {
  describe("messages", () => {
    it.each(Errors.tags)("%s names the method and url, what happened and a hint", (tag) => {
      const message = fixtures(1)[tag].message
      assertTrue(message.startsWith("POST https://api.test/v1/items: "), message)
      assertInclude(message, rendering[tag].what)
      assertInclude(message, rendering[tag].hint)
    })

    it.each(Errors.tags.filter((tag) => !BEFORE_ANY_ATTEMPT.includes(tag)))("%s names the attempt count", (tag) => {
      assertInclude(fixtures(3)[tag].message, "after 3 attempts")
      assertInclude(fixtures(1)[tag].message, "after 1 attempt")
      assertFalse(fixtures(1)[tag].message.includes("after 1 attempts"))
    })

    it.each(Errors.tags)("%s: the message is also the Error's message and its _tag its name", (tag) => {
      const error = fixtures(2)[tag]
      assertTrue(error instanceof Error)
      strictEqual(error._tag, tag)
      assertInclude(String(error), error.message)
    })

    it.each(Errors.tags)("%s: a url that had secrets shows only its redacted form", (tag) => {
      const error = fixtures(2, { method: "GET", url: Redact.url(SECRET_URL) }, Redact.url(SECRET_LOCATION))[tag]
      const message = error.message
      for (const secret of ["hunter2", "s3cr3tT0ken", "pa55w0rd", "0authC0de", "5ignature"]) {
        assertFalse(message.includes(secret), `${tag} shows ${secret}: ${message}`)
      }
      assertInclude(message, "GET https://alice:<redacted>@api.test/v1/items?access_token=<redacted>&page=2")
    })

    it.each([
      { temporary: true, text: "(EAI_AGAIN, temporary)", hint: "did not answer in time" },
      { temporary: false, text: "(EAI_AGAIN)", hint: "The name does not exist" }
    ])("DnsError temporary: $temporary", ({ hint, temporary, text }) => {
      const error = new Errors.DnsError({ ...fixtures(1).DnsError, code: "EAI_AGAIN", temporary }, true)
      assertInclude(error.message, text)
      assertInclude(error.message, hint)
    })

    it.each(
      [
        { phase: "before-response", text: "before the response arrived" },
        { phase: "during-body", text: "while the body was being read" }
      ] as const
    )("ConnectionReset $phase says $text", ({ phase, text }) => {
      assertInclude(new Errors.ConnectionReset({ ...fixtures(1).ConnectionReset, phase }, true).message, text)
    })

    it("NetworkUnreachable without an address says the host", () => {
      const { address: _, ...rest } = fixtures(1).NetworkUnreachable
      assertInclude(new Errors.NetworkUnreachable(rest, true).message, "the host is unreachable (EHOSTUNREACH)")
    })

    it("each TLS reason has its own hint", () => {
      const reasons = ["self-signed", "expired", "hostname-mismatch", "untrusted", "handshake"] as const
      const hints = reasons.map((reason) => {
        const message = new Errors.TlsError({ ...fixtures(1).TlsError, reason }, true).message
        assertInclude(message, `TLS failed, ${reason}`)
        return message.slice(message.indexOf("attempt.") + 1)
      })
      strictEqual(new Set(hints).size, reasons.length)
    })

    it.each([
      { status: 407, text: "asks for credentials (407)", hint: "Put valid credentials in the proxy url" },
      { status: 502, text: "answered 502 to CONNECT", hint: "HTTP_PROXY / HTTPS_PROXY / NO_PROXY" },
      { status: undefined, text: "failed (ECONNREFUSED)", hint: "HTTP_PROXY / HTTPS_PROXY / NO_PROXY" }
    ])("ProxyError status $status", ({ hint, status, text }) => {
      const { status: _, ...rest } = fixtures(1).ProxyError
      const error = new Errors.ProxyError(
        status === undefined ? { ...rest, code: "ECONNREFUSED" } : { ...rest, code: "ECONNREFUSED", status },
        true
      )
      assertInclude(error.message, text)
      assertInclude(error.message, hint)
    })

    it.each(
      [
        { reason: "malformed-response", hint: "not valid HTTP/1.1" },
        { reason: "closed", hint: "pool was already closed" },
        { reason: "unknown", hint: "See `cause`" }
      ] as const
    )("TransportError $reason", ({ hint, reason }) => {
      assertInclude(new Errors.TransportError({ ...fixtures(1).TransportError, reason }, true).message, hint)
    })

    it.each([
      { status: 401, hint: "Check the credentials" },
      { status: 407, hint: "Check the credentials" },
      { status: 403, hint: "not allowed to do this" },
      { status: 404, hint: "the resource does not exist" },
      { status: 408, hint: "timed out" },
      { status: 504, hint: "timed out" },
      { status: 429, hint: "Rate limited" },
      { status: 500, hint: "The server failed" },
      { status: 418, hint: "The server rejected the request" },
      { status: 304, hint: "status policy treats this status as a failure" }
    ])("StatusError $status: $hint", ({ hint, status }) => {
      const { retryAfterMs: _, ...rest } = fixtures(1).StatusError
      const message = new Errors.StatusError({ ...rest, status }, true).message
      assertInclude(message, `the server answered ${status} after 1 attempt`)
      assertInclude(message, hint)
    })

    it("StatusError 5xx: the hint says whether retries were made", () => {
      const { retryAfterMs: _, ...rest } = fixtures(1).StatusError
      assertInclude(new Errors.StatusError({ ...rest, status: 500 }, true).message, "or allow retries")
      assertInclude(new Errors.StatusError({ ...rest, status: 500, attempts: 4 }, true).message, "on every attempt")
      assertInclude(new Errors.StatusError({ ...rest, status: 504 }, true).message, "allow retries")
      assertInclude(new Errors.StatusError({ ...rest, status: 504, attempts: 4 }, true).message, "on every attempt")
    })

    it("DeadlineExceeded before the deadline: the next retry would have ended past it", () => {
      const early = new Errors.DeadlineExceeded({
        ...fixtures(3).DeadlineExceeded,
        deadlineMs: 1_000,
        history: [
          { attempt: 1, tag: "ConnectionReset", delayMs: 80, elapsedMs: 0 },
          { attempt: 2, tag: "ConnectionReset", delayMs: 200, elapsedMs: 90 },
          { attempt: 3, tag: "ConnectionReset", delayMs: 0, elapsedMs: 323 }
        ]
      }, true)
      assertInclude(
        early.message,
        "gave up at 323ms, after 3 attempts: the next retry would end past the deadline of 1s"
      )
      assertFalse(early.message.includes("ran out"))
      assertInclude(fixtures(3).DeadlineExceeded.message, "the deadline of 2m ran out after 3 attempts")
    })

    it("DeadlineExceeded without a last failure does not mention one", () => {
      const { lastError: _, ...rest } = fixtures(1).DeadlineExceeded
      assertFalse(new Errors.DeadlineExceeded(rest, true).message.includes("last failure"))
      assertInclude(fixtures(1).DeadlineExceeded.message, "(last failure: ResponseTimeout)")
    })

    it("TooManyRedirects shows a short chain whole and a long one shortened", () => {
      const short = fixtures(1).TooManyRedirects
      assertInclude(
        short.message,
        "(https://api.test/v1/items -> https://api.test/v1/next -> https://api.test/v1/next/2)"
      )
      const chain = Array.from({ length: 8 }, (_, i) => `https://r.test/${i}`)
      assertInclude(
        new Errors.TooManyRedirects({ ...short, chain }, true).message,
        "(https://r.test/0 -> https://r.test/1 -> https://r.test/2 -> … -> https://r.test/6 -> https://r.test/7)"
      )
    })

    it("TooManyRedirects for a loop says so", () => {
      const message = new Errors.TooManyRedirects({ ...fixtures(1).TooManyRedirects, loop: true }, true).message
      assertInclude(message, "redirect loop")
      assertInclude(message, "redirects back to a url already visited")
    })

    it("RedirectBlocked for a scheme says so", () => {
      const message = new Errors.RedirectBlocked(
        { ...fixtures(1).RedirectBlocked, location: "ftp://files.test/x", reason: "scheme" },
        true
      ).message
      assertInclude(message, "redirect to ftp://files.test/x blocked (not an http(s) url)")
      assertInclude(message, "Only http and https redirects are followed")
    })
  })

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
