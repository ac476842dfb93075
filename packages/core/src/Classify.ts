/**
 * Classification: from whatever a transport failed with to one tagged
 * {@link Errors.HttpError}.
 *
 * The one place where foreign errors are read. It walks the whole `cause`
 * chain (a platform `HttpClientError`, fetch's `TypeError("fetch failed")`,
 * fetch's `TypeError("terminated")` after the headers, `AggregateError`s from
 * Happy Eyeballs) and reads Node errno codes, undici `UND_ERR_*` codes,
 * OpenSSL / Node TLS codes and undici's proxy messages. Every input maps to
 * some tag, nothing throws, and an unknown cause becomes a `TransportError`
 * that keeps it. What is retried is decided elsewhere (see `Retry`).
 *
 * @example
 * ```ts
 * import { Classify } from "@steadfast/core"
 *
 * const error = Classify.classify(
 *   Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED", address: "127.0.0.1", port: 1 }),
 *   { method: "GET", url: "http://127.0.0.1:1/" }
 * )
 * error._tag // "ConnectionRefused"
 * ```
 *
 * @since 0.1.0
 */
import * as Errors from "./Errors.js"
import { reset, safeUrl, withCommon } from "./internal/classify/build.js"
import { byCode, type Facts } from "./internal/classify/byCode.js"
import { chain, firstMessage } from "./internal/classify/chain.js"
import * as opaque from "./internal/opaque.js"
import { redactUrl } from "./internal/redact.js"

/**
 * What the client knows about the failed exchange, besides the error itself.
 *
 * @since 0.1.0
 */
export interface Context {
  readonly method: string
  /** The request url (redacted before it is stored). */
  readonly url: string | URL
  /** Where the exchange was when it failed. @default "response" */
  readonly phase?: "connect" | "response" | "body" | undefined
  /**
   * Whether the request is known to have been (possibly) sent: the transport
   * reported a connection. `undefined` when the transport cannot tell.
   */
  readonly requestSent?: boolean | undefined
  /** The proxy in use, if any, so its failures are not blamed on the target. */
  readonly proxy?: { readonly url: string; readonly host: string; readonly port: number } | undefined
  /** Limits to report in timeout and size errors. */
  readonly connectTimeoutMs?: number | undefined
  readonly responseTimeoutMs?: number | undefined
  readonly bodyIdleTimeoutMs?: number | undefined
  readonly maxBodySize?: number | undefined
  /**
   * When the failed exchange followed a redirect: its target. A connection
   * the SSRF guard refused is then `RedirectBlocked` rather than `InvalidUrl`.
   */
  readonly redirectedTo?: string | URL | undefined
  /** The response status, once the headers arrived (for `DecodeError`). */
  readonly status?: number | undefined
}

/**
 * The `code` of the error a transport fails a connection with when the
 * client's `allowAddress` refuses the address a name resolved to (with
 * `hostname`, `address` and `reason` on the error).
 *
 * @since 0.1.0
 */
export const ADDRESS_REFUSED = "ERR_STEADFAST_ADDRESS_REFUSED"

/**
 * The `code` of the error a transport fails a body with when it cannot undo
 * the response's `Content-Encoding` (a corrupt or truncated gzip, deflate or
 * brotli stream, or more codings than it decodes): the response arrived, its
 * body is not what its headers say. Classified as `DecodeError`, which is
 * not retried by default (the server would most likely send the same bytes
 * again). The error's `message` says what went wrong.
 *
 * @since 0.1.0
 */
export const CONTENT_DECODING_FAILED = "ERR_STEADFAST_CONTENT_DECODING"

const DECODING_HINT = "The body does not match its Content-Encoding: the server (or a proxy) sent a broken " +
  "compressed stream. Read the raw bytes with the client option `decompress: false` to look at them."

/**
 * The `code` of the error the generic transport fails with in a browser when
 * fetch rejects with a `TypeError` ("Failed to fetch"): the browser hides
 * the cause, so the transport reports what the page could see instead
 * ({@link OpaqueFacts}; the `TypeError` is its `cause`).
 *
 * @since 0.1.0
 */
export const OPAQUE_NETWORK = opaque.OPAQUE_NETWORK

/**
 * The `code` of the error the generic transport fails with in a browser when
 * fetch, told not to follow redirects (`redirect: "manual"`), returned an
 * `opaqueredirect` response (status 0): a redirect whose target the page
 * cannot see. Classified as `RedirectBlocked` with reason `"opaque"`.
 *
 * @since 0.1.0
 */
export const OPAQUE_REDIRECT = opaque.OPAQUE_REDIRECT

/**
 * What a page can see of a fetch that failed with a hidden cause, as the
 * transport reports it on an error with `code` {@link OPAQUE_NETWORK}.
 *
 * @since 0.1.0
 */
export type OpaqueFacts = opaque.OpaqueFacts

/**
 * The likely cause of an opaque fetch failure, and whether the request may
 * have reached the server, from what the page saw. Pure.
 *
 * - offline or mixed content: blocked before sending (`requestSent: false`);
 * - a same-origin url cannot fail for CORS: `"unreachable"`;
 * - a cross-origin url whose server answered the probe: `"cors"`; a request
 *   that needed no preflight did reach the server (`true`), one that needed
 *   a preflight may or may not have (`"unknown"`);
 * - a cross-origin url whose server did not answer the probe: `"unreachable"`;
 * - otherwise `"unknown"`.
 *
 * How fast the fetch failed is not used: on a fast network a refused
 * connection and a reset after the request went out fail equally fast.
 *
 * @since 0.1.0
 */
export const judgeOpaque: (
  facts: OpaqueFacts
) => { readonly likely: Errors.OpaqueCause; readonly requestSent: boolean | "unknown" } = opaque.judgeOpaque

const ADDRESS_HINT = "The client's `allowAddress` refuses that address (private, loopback, link-local…); " +
  "nothing was sent. Reach it with a client without that guard if it is meant to."

/**
 * Maps a transport failure to its tagged error (with `attempts: 1` and an
 * empty history; the client fills both in when it gives up).
 *
 * @since 0.1.0
 */
export const classify = (cause: unknown, context: Context): Errors.HttpError => {
  const nodes = chain(cause)
  const url = typeof context.url === "string" ? context.url : context.url.href
  const common = {
    request: { method: context.method, url: redactUrl(context.url) },
    attempts: 1,
    history: [],
    cause
  }
  const phase = context.phase ?? "response"
  const requestSent = context.requestSent ?? phase !== "connect"
  // a URL is taken as it is (the client passes its own): parsing its href again would give the same
  const parsed = typeof context.url === "string" ? safeUrl(url) : context.url

  // the SSRF guard refused the resolved address: nothing was sent
  for (const node of nodes) {
    if (node.code === ADDRESS_REFUSED) {
      const why = node.message === "" ? "its address is refused" : node.message
      return context.redirectedTo === undefined
        ? new Errors.InvalidUrl(withCommon(common, { reason: why, hint: ADDRESS_HINT }), true)
        : new Errors.RedirectBlocked(
          withCommon(common, {
            location: redactUrl(context.redirectedTo),
            reason: "address",
            detail: why
          }),
          true
        )
    }
  }

  // the body arrived but does not decode: not a transport failure
  for (const node of nodes) {
    if (node.code === CONTENT_DECODING_FAILED) {
      return new Errors.DecodeError(
        withCommon(common, {
          status: context.status ?? 0,
          reason: node.message === "" ? "the compressed body could not be decoded" : node.message,
          hint: DECODING_HINT
        }),
        true
      )
    }
  }
  // fetch in a browser: what the page saw, as the generic transport reports it
  const reported = opaque.findCode(cause, OPAQUE_NETWORK)
  if (reported !== undefined) {
    const facts = reported as unknown as OpaqueFacts
    const judged = opaque.judgeOpaque(facts)
    const inner = reported["cause"] as { readonly message?: unknown } | undefined
    return new Errors.TransportError(
      withCommon(common, {
        reason: "opaque-network",
        code: "TypeError",
        description: opaque.describe(facts, typeof inner?.message === "string" ? inner.message : ""),
        requestSent: judged.requestSent,
        likely: judged.likely
      }),
      true
    )
  }
  const opaqueRedirect = opaque.findCode(cause, OPAQUE_REDIRECT)
  if (opaqueRedirect !== undefined) {
    return new Errors.RedirectBlocked(
      withCommon(common, {
        location: "(hidden by the browser)",
        reason: "opaque"
      }),
      true
    )
  }

  // platform reasons that are not transport failures
  for (const node of nodes) {
    if (node.platformReason === "InvalidUrl") {
      return new Errors.InvalidUrl(withCommon(common, { reason: firstMessage(nodes, 1) ?? "cannot be parsed" }), true)
    }
    if (node.platformReason === "Encode") {
      return new Errors.InvalidRequest(
        withCommon(common, {
          reason: `the body could not be encoded: ${firstMessage(nodes, 1) ?? "unknown"}`
        }),
        true
      )
    }
  }

  const facts: Facts = {
    common,
    context,
    phase,
    requestSent,
    parsed,
    proxy: context.proxy === undefined ? undefined : { ...context.proxy, url: redactUrl(context.proxy.url) }
  }
  for (const node of nodes) {
    const error = byCode(node, facts)
    if (error !== undefined) return error
  }
  const first = nodes.find((n) => n.code !== undefined) ?? nodes.find((n) => n.platformReason === undefined) ?? nodes[0]
  // "terminated" and "other side closed" without a code still mean a lost connection
  if (nodes.some((n) => n.message === "terminated" || n.message === "other side closed")) {
    return reset(common, first?.code ?? "UND_ERR_SOCKET", phase === "connect" ? "response" : phase, requestSent)
  }
  // fetch's TypeError with nothing under it: the platform hides the cause
  const hidden = nodes.find((n) => n.name === "TypeError" && opaque.FETCH_FAILED.test(n.message))
  if (hidden !== undefined && !nodes.some((n) => n.code !== undefined)) {
    return new Errors.TransportError(
      withCommon(common, {
        reason: "opaque-network",
        code: "TypeError",
        description: opaque.describe(undefined, hidden.message),
        requestSent: "unknown",
        likely: "unknown"
      }),
      true
    )
  }
  return new Errors.TransportError(
    withCommon(common, {
      reason: "unknown",
      code: first?.code ?? (first?.name || "UNKNOWN"),
      description: first?.message || "unknown failure",
      requestSent
    }),
    true
  )
}
