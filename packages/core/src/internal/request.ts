/**
 * The request as given, made ready to send: its url resolved against the
 * client's base url (query parameters and fragment applied), header names and
 * values checked, and credentials in the url moved to an `Authorization`
 * header. Failures here are `InvalidUrl` or `InvalidRequest`: nothing is
 * sent, and the message shows the url as the user wrote it.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Errors from "../Errors.js"
import type { Compiled } from "./policy.js"
import { redactUrl } from "./redact.js"

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

const makeUrl = (cfg: Compiled, request: HttpClientRequest.HttpClientRequest): URL | string => {
  let url: URL
  try {
    url = new URL(request.url, cfg.baseUrl)
  } catch {
    if (request.url === "") return "the url is empty"
    return cfg.baseUrl === undefined && !/^[a-z][a-z0-9+.-]*:/i.test(request.url)
      ? "it is relative and the client has no baseUrl (set Client.Options.baseUrl, or use an absolute url)"
      : "it cannot be parsed"
  }
  const params = request.urlParams
  for (let i = 0; i < params.length; i++) {
    const [key, value] = params[i]!
    if (value !== undefined) url.searchParams.append(key, value)
  }
  if (request.hash._tag === "Some") url.hash = request.hash.value
  if (url.protocol !== "http:" && url.protocol !== "https:") return `the scheme ${url.protocol} is not http: or https:`
  return url
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
  const credentials = `${decodeComponent(url.username)}:${decodeComponent(url.password)}`
  url.username = ""
  url.password = ""
  let binary = ""
  for (const byte of new TextEncoder().encode(credentials)) binary += String.fromCharCode(byte)
  const headers = request.headers["authorization"] === undefined
    ? { ...request.headers, authorization: `Basic ${btoa(binary)}` }
    : request.headers
  return HttpClientRequest.make(request.method)(url, { headers, body: request.body })
}

const noHistory: ReadonlyArray<Errors.AttemptRecord> = []

/**
 * The request's resolved url, or the error that stops it before anything is
 * sent. The url's credentials are left in place: see `withCredentials`.
 *
 * @internal
 */
export const resolve = (cfg: Compiled, request: HttpClientRequest.HttpClientRequest): URL | Errors.HttpError => {
  const url = makeUrl(cfg, request)
  if (typeof url === "string") {
    return new Errors.InvalidUrl({
      request: { method: request.method, url: redactUrl(request.url) },
      attempts: 0,
      history: noHistory,
      reason: url
    }, true)
  }
  const problem = checkHeaders(request.headers)
  if (problem !== undefined) {
    return new Errors.InvalidRequest({
      request: { method: request.method, url: redactUrl(url) },
      attempts: 0,
      history: noHistory,
      reason: problem
    }, true)
  }
  return url
}

/**
 * The request to send for `url` (from `resolve`): credentials in the url
 * move to an `Authorization` header, and out of `url`.
 *
 * @internal
 */
export const withCredentials = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): HttpClientRequest.HttpClientRequest =>
  url.username === "" && url.password === "" ? request : withUrlCredentials(request, url)
