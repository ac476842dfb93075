/**
 * What a client adds to every request: its default headers and its
 * credentials (`auth`, and default headers that hold secrets), compiled once
 * per client.
 *
 * The rules, in the order `request.ts` applies them:
 * - a request's own header of the same name always wins;
 * - default headers that are not secrets go to every origin;
 * - secrets (the `Authorization` of `auth`, a default header with a
 *   sensitive name or a `Redacted` value) go only to the credential origins
 *   (the base url's origin, plus `credentialOrigins`), and are added after
 *   the request's own sensitive headers were dropped for another origin;
 * - a bearer token Effect runs before each attempt (`authorize`), so a
 *   refreshed token is picked up by a retry.
 *
 * The secrets' names join the client's sensitive headers, so redirects to
 * another origin drop them and every rendering redacts them.
 *
 * @internal
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import { HttpClientRequest } from "#line/http"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../Auth.js"
import * as Errors from "../Errors.js"
import type { Call } from "./callState.js"
import { deadlineError } from "./facts.js"
import { nameOf } from "./mapRequest.js"
import { isSensitiveHeader } from "./redact.js"

/** `Authorization` for user and password: UTF-8 `user:password` in base64 (RFC 7617). @internal */
export const basicValue = (user: string, password: string): string => {
  let binary = ""
  for (const byte of new TextEncoder().encode(`${user}:${password}`)) binary += String.fromCharCode(byte)
  return `Basic ${btoa(binary)}`
}

/** A client's default headers and credentials, compiled. @internal */
export interface Credentials {
  /** Default headers that are not secrets: sent to every origin. */
  readonly plain: Readonly<Record<string, string>> | undefined
  /** The fixed `Authorization` and the secret default headers: sent to `origins` only. */
  readonly secret: Readonly<Record<string, string>> | undefined
  /** A bearer token Effect, run before each attempt to `origins`. */
  readonly token: Effect.Effect<Auth.Secret, unknown> | undefined
  /** Where secrets go. */
  readonly origins: ReadonlySet<string> | "any"
}

/** Whether a default header is a secret: a sensitive name, a name the client lists as sensitive, or a `Redacted` value. @internal */
export const isSecret = (name: string, value: Auth.Secret, sensitive: ReadonlySet<string>): boolean =>
  typeof value !== "string" || isSensitiveHeader(name) || sensitive.has(name)

/** Header names in lower case, secrets as `Redacted` (so settings never print them). @internal */
export const normalizeHeaders = (
  headers: Readonly<Record<string, Auth.Secret>>,
  sensitive: ReadonlySet<string>
): Record<string, Auth.Secret> => {
  const out: Record<string, Auth.Secret> = {}
  for (const name of Object.keys(headers)) {
    const value = headers[name]!
    const lower = name.toLowerCase()
    out[lower] = typeof value === "string" && isSecret(lower, value, sensitive) ? Redacted.make(value) : value
  }
  return out
}

/** The names of the secrets among `headers` (lower case), with `authorization` when there is `auth`. @internal */
export const secretNames = (
  headers: Readonly<Record<string, Auth.Secret>>,
  auth: Auth.Auth | undefined,
  sensitive: ReadonlySet<string>
): ReadonlyArray<string> => {
  const names = Object.keys(headers).filter((name) => isSecret(name, headers[name]!, sensitive))
  return auth === undefined ? names : [...names, "authorization"]
}

/** Compiles a client's headers and auth; `undefined` when there is nothing to add. @internal */
export const compile = (
  headers: Readonly<Record<string, Auth.Secret>>,
  auth: Auth.Auth | undefined,
  origins: ReadonlySet<string> | "any"
): Credentials | undefined => {
  let plain: Record<string, string> | undefined
  let secret: Record<string, string> | undefined
  for (const name of Object.keys(headers)) {
    const value = headers[name]!
    if (typeof value === "string") (plain ??= {})[name] = value
    else (secret ??= {})[name] = Redacted.value(value)
  }
  if (auth?.value !== undefined) (secret ??= {})["authorization"] = Redacted.value(auth.value)
  const token = auth?.token
  return plain === undefined && secret === undefined && token === undefined
    ? undefined
    : { plain, secret, token, origins }
}

const reaches = (c: Credentials, url: URL): boolean => c.origins === "any" || c.origins.has(url.origin)

/** `request` with those of `add` it does not have itself. */
const withMissing = (
  request: HttpClientRequest.HttpClientRequest,
  add: Readonly<Record<string, string>>
): HttpClientRequest.HttpClientRequest => {
  let missing: Record<string, string> | undefined
  for (const name in add) if (request.headers[name] === undefined) (missing ??= {})[name] = add[name]!
  return missing === undefined ? request : HttpClientRequest.setHeaders(request, missing)
}

/** The default headers that are not secrets, under the request's own. @internal */
export const withDefaults = (
  c: Credentials,
  request: HttpClientRequest.HttpClientRequest
): HttpClientRequest.HttpClientRequest => c.plain === undefined ? request : withMissing(request, c.plain)

/** The fixed secrets, under the request's own, when `url` is on a credential origin. @internal */
export const withSecrets = (
  c: Credentials,
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): HttpClientRequest.HttpClientRequest =>
  c.secret === undefined || !reaches(c, url) ? request : withMissing(request, c.secret)

const BAD_VALUE = /[\r\n\0]/
const TIMED_OUT = Symbol("steadfast/credentials/timed-out")

const refused = (call: Call, reason: string, hint: string, cause?: unknown): Errors.InvalidRequest =>
  new Errors.InvalidRequest({
    request: call.requestInfo,
    attempts: call.attempts,
    history: [],
    reason,
    hint,
    ...(cause === undefined ? {} : { cause })
  }, true)

/**
 * Before an attempt of `call`: the request with the token its client's
 * bearer Effect yields now, or `undefined` when there is no token to get
 * (no token Effect, another origin, or the request has its own
 * `Authorization`). A failure of the Effect is `InvalidRequest` (its
 * `cause` the failure, made safe); taking longer than the deadline is
 * `DeadlineExceeded`. Neither is retried.
 *
 * @internal
 */
export const authorize = (
  call: Call
): Effect.Effect<HttpClientRequest.HttpClientRequest, Errors.HttpError> | undefined => {
  const c = call.cfg.credentials
  const request = call.request
  if (c?.token === undefined || request.headers["authorization"] !== undefined || !reaches(c, call.url)) {
    return undefined
  }
  const remaining = call.deadlineAt - call.now()
  const token: Effect.Effect<Auth.Secret, unknown> = Number.isFinite(remaining)
    ? Effect.timeoutFail(c.token, { duration: Duration.millis(Math.max(0, remaining)), onTimeout: () => TIMED_OUT })
    : c.token
  return Effect.matchEffect(token, {
    onFailure: (error): Effect.Effect<never, Errors.HttpError> =>
      Effect.fail(
        error === TIMED_OUT ? deadlineError(call, undefined, undefined) : refused(
          call,
          `the client's auth could not get its token: the Effect given to Auth.bearer() failed with ${nameOf(error)}`,
          "Nothing was sent and it is not retried; the failure is this error's `cause`. Make that Effect recover " +
            "(retry, or fall back to a cached value) if its source may fail for a moment.",
          error
        )
      ),
    onSuccess: (secret) => {
      const text = typeof secret === "string" ? secret : Redacted.value(secret)
      if (text === "" || BAD_VALUE.test(text)) {
        return Effect.fail(refused(
          call,
          `the value from the Effect given to Auth.bearer() ${text === "" ? "is empty" : "contains CR, LF or NUL"}`,
          "Nothing was sent. Check what that Effect yields."
        ))
      }
      return Effect.succeed(HttpClientRequest.setHeader(request, "authorization", `Bearer ${text}`))
    }
  })
}
