import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, assertTrue, strictEqual } from "@effect/vitest/utils"
import { Errors, Redact } from "@steadfast/core"
import { fixtures } from "./helpers/errorFixtures.js"

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
})
