/**
 * One instance of every error class (with `attempts` attempts, of `request`,
 * redirected to `redirectUrl` where a class has a location), for the tests
 * that go through every tag (Errors.test.ts, Errors.tags.test.ts).
 */
import { Errors } from "@steadfast/core"

export type ByTag = { readonly [T in Errors.Tag]: Extract<Errors.HttpError, { readonly _tag: T }> }

/** One instance of every error class; the mapped type makes a missing class a type error. */
export const fixtures = (
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

export const all = (byTag: ByTag): Array<Errors.HttpError> => Errors.tags.map((tag) => byTag[tag])
