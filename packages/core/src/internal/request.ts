/**
 * The request as given, made ready to send: its url resolved against the
 * client's base url and pinned to it (`url.ts`), query parameters and
 * fragment applied, the SSRF guard on IP literals, header names and values
 * checked, credentials in the url moved to an `Authorization` header, and
 * the client's default headers and credentials added (`credentials.ts`).
 * Failures here are `InvalidUrl` or `InvalidRequest`: nothing is
 * sent, and the message shows the url as the user wrote it.
 *
 * @internal
 */
import { Headers, HttpClientRequest } from "#line/http"
import { urlParamsEntries } from "#line/urlParams"
import * as Errors from "../Errors.js"
import { basicValue, withDefaults, withSecrets } from "./credentials.js"
import type { Compiled } from "./policy.js"
import { redactUrl } from "./redact.js"
import { literalRefusal, resolve as resolveUrl, type Resolved } from "./url.js"

const noHistory: ReadonlyArray<Errors.AttemptRecord> = []

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const BAD_VALUE = /[\r\n\0]/

const checkHeaders = (headers: Readonly<Record<string, string>>): string | undefined => {
  for (const name in headers) {
    if (!TOKEN.test(name)) return `header name "${name.replace(/[\r\n]/g, "\\n").slice(0, 40)}" is not a valid token`
    const value = headers[name]
    if (typeof value === "string" && BAD_VALUE.test(value)) {
      return `the value of header "${name}" contains CR, LF or NUL (header injection)`
    }
  }
  return undefined
}

/**
 * The headers a `beforeAttempt` hook gave an attempt, checked like the
 * request's own: the `InvalidRequest` that stops the attempt (nothing is
 * sent), or `undefined`.
 *
 * @internal
 */
export const hookedHeadersProblem = (
  request: Errors.RequestInfo,
  attempts: number,
  headers: Readonly<Record<string, string>>
): Errors.InvalidRequest | undefined => {
  const problem = checkHeaders(headers)
  return problem === undefined ? undefined : new Errors.InvalidRequest({
    request,
    attempts,
    history: noHistory,
    reason: problem,
    hint: "The client's beforeAttempt hook set it; nothing was sent. Fix the hook (encode or strip the value)."
  }, true)
}

const decodeComponent = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * User info in the url (`https://user:password@host/`) becomes a Basic
 * `Authorization` header (UTF-8, RFC 7617), unless the request has one, and
 * leaves the url (which `url` is updated to), as curl and browsers do:
 * transports would otherwise drop it silently (undici sends origin and path)
 * or refuse it (fetch). Like any `Authorization`, it is not sent on to
 * another origin by a redirect.
 */
const withUrlCredentials = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): HttpClientRequest.HttpClientRequest => {
  const authorization = basicValue(decodeComponent(url.username), decodeComponent(url.password))
  url.username = ""
  url.password = ""
  const headers = request.headers["authorization"] === undefined
    ? { ...request.headers, authorization }
    : request.headers
  return HttpClientRequest.make(request.method)(url, { headers, body: request.body })
}

/**
 * The request's url, resolved against the client's base url and rules
 * (`url.ts`), with its query parameters and fragment applied — or the
 * `InvalidUrl` that stops it before anything is sent (showing the url as the
 * user wrote it). The url's credentials are left in place: see `sendable`.
 *
 * @internal
 */
export const resolve = (cfg: Compiled, request: HttpClientRequest.HttpClientRequest): Resolved | Errors.HttpError => {
  const resolved = resolveUrl(request.url, cfg.urls)
  if (resolved._tag === "Rejected") {
    return new Errors.InvalidUrl({
      request: { method: request.method, url: redactUrl(request.url) },
      attempts: 0,
      history: noHistory,
      reason: resolved.reason,
      hint: resolved.hint
    }, true)
  }
  const url = resolved.url
  const params = urlParamsEntries(request.urlParams)
  for (let i = 0; i < params.length; i++) {
    const [key, value] = params[i]!
    if (value !== undefined) url.searchParams.append(key, value)
  }
  if (request.hash._tag === "Some") url.hash = request.hash.value
  const refused = literalRefusal(cfg.allowAddress, url)
  if (refused !== undefined) {
    return new Errors.InvalidUrl({
      request: { method: request.method, url: redactUrl(url) },
      attempts: 0,
      history: noHistory,
      reason: refused,
      hint: "The client's `allowAddress` refuses that address; nothing was sent."
    }, true)
  }
  return resolved
}

/** `request` (sent to `url`) without the headers named in `names` (lower case). */
const withoutHeaders = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  names: ReadonlySet<string>
): HttpClientRequest.HttpClientRequest =>
  Object.keys(request.headers).some((name) => names.has(name))
    ? HttpClientRequest.make(request.method)(url, {
      headers: Headers.remove(request.headers, [...names]),
      body: request.body
    })
    : request

/**
 * The request to send to `resolved.url`: with the client's default headers
 * under its own, without its sensitive headers when it goes to another
 * origin, its headers checked, credentials in the url moved to an
 * `Authorization` header (and out of the url), and then the client's fixed
 * credentials under its own when `url` is on a credential origin (see
 * `credentials.ts`; a token Effect is run per attempt by `call.ts`). Or the
 * `InvalidRequest` that stops it.
 *
 * @internal
 */
export const sendable = (
  cfg: Compiled,
  request: HttpClientRequest.HttpClientRequest,
  resolved: Resolved
): HttpClientRequest.HttpClientRequest | Errors.HttpError => {
  const url = resolved.url
  const credentials = cfg.credentials
  const given = credentials === undefined ? request : withDefaults(credentials, request)
  const sent = resolved.crossOrigin ? withoutHeaders(given, url, cfg.redirects.sensitiveHeaders) : given
  const problem = checkHeaders(sent.headers)
  if (problem !== undefined) {
    return new Errors.InvalidRequest({
      request: { method: sent.method, url: redactUrl(url) },
      attempts: 0,
      history: noHistory,
      reason: problem
    }, true)
  }
  const ready = url.username === "" && url.password === "" ? sent : withUrlCredentials(sent, url)
  return credentials === undefined ? ready : withSecrets(credentials, ready, url)
}

/**
 * A raw body (a Node `Readable`, say) belongs to the call: a call that
 * failed or was interrupted will not send it again, and a stream that was
 * never read would keep its file descriptor or upstream open. Retries
 * before that reuse the same object, so the transport cannot destroy it.
 *
 * @internal
 */
export const releaseRawBody = (body: HttpClientRequest.HttpClientRequest["body"]): void => {
  if (body._tag !== "Raw") return
  const raw = body.body as { readonly destroyed?: unknown; readonly destroy?: unknown } | null
  if (raw !== null && typeof raw === "object" && typeof raw.destroy === "function" && raw.destroyed === false) {
    ;(raw.destroy as () => void).call(raw)
  }
}
