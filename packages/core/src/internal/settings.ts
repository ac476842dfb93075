/**
 * From options to a client's settings: validation, defaults, the
 * credentials' sensitive names, and the one mistake options can only show
 * together (credentials with nowhere to go).
 *
 * @internal
 */
import type { Options, Settings } from "../client/options.js"
import * as Errors from "../Errors.js"
import * as Propagation from "../Propagation.js"
import * as Redirects from "../Redirects.js"
import * as Retry from "../Retry.js"
import * as Timeouts from "../Timeouts.js"
import * as credentials from "./credentials.js"
import { check as checkOptions } from "./options.js"

export const MIB = 1024 * 1024

export const resolve = (options: Options, base: Settings | undefined): Settings => {
  const s = resolveCore(options, base)
  const headers = options.headers === undefined
    ? base?.headers ?? {}
    : { ...base?.headers, ...credentials.normalizeHeaders(options.headers, s.redirects.sensitiveHeaders) }
  const auth = options.auth ?? base?.auth
  const given = options.credentialOrigins
  const credentialOrigins = given === undefined
    ? base?.credentialOrigins ?? []
    : given === "any"
    ? "any"
    : given.map((origin) => new URL(origin).origin)
  // the secrets' names join the sensitive headers: dropped by a redirect to another origin, redacted everywhere
  const names = credentials.secretNames(headers, auth, s.redirects.sensitiveHeaders)
  const redirects = names.every((name) => s.redirects.sensitiveHeaders.has(name))
    ? s.redirects
    : { ...s.redirects, sensitiveHeaders: new Set([...s.redirects.sensitiveHeaders, ...names]) }
  return { ...s, redirects, headers, auth, credentialOrigins, mapRequest: options.mapRequest ?? base?.mapRequest }
}

/** A client with credentials and no origin to send them to is a mistake to report, not a silent 401. */
export const credentialProblem = (s: Settings): Errors.InvalidOptions | undefined =>
  s.baseUrl === undefined && s.credentialOrigins !== "any" && s.credentialOrigins.length === 0 &&
    (s.auth !== undefined || credentials.secretNames(s.headers, undefined, s.redirects.sensitiveHeaders).length > 0)
    ? new Errors.InvalidOptions({
      option: s.auth !== undefined ? "auth" : "headers",
      value: "given to a client without baseUrl",
      expected: "a baseUrl (credentials go to its origin only) or `credentialOrigins` naming where they may go " +
        "(a list of origins, or \"any\")"
    })
    : undefined

export const resolveCore = (
  options: Options,
  base: Settings | undefined
): Omit<Settings, "headers" | "auth" | "credentialOrigins" | "mapRequest"> => ({
  retry: options.retry === undefined
    ? base?.retry ?? Retry.defaults
    : "schedule" in options.retry && "enabled" in options.retry
    ? options.retry as Retry.Policy
    : Retry.policy(options.retry as Retry.Options),
  timeouts: Timeouts.make(options.timeouts, base?.timeouts),
  redirects: options.redirects === undefined
    ? base?.redirects ?? Redirects.defaults
    : "sensitiveHeaders" in options.redirects && options.redirects.sensitiveHeaders instanceof Set
    ? options.redirects as Redirects.Policy
    : Redirects.make(options.redirects as Redirects.Input),
  maxBodySize: options.maxBodySize ?? base?.maxBodySize ?? 10 * MIB,
  isFailure: options.isFailure ?? base?.isFailure ?? ((status) => status >= 400),
  baseUrl: options.baseUrl === undefined
    ? base?.baseUrl
    : typeof options.baseUrl === "string"
    ? new URL(options.baseUrl)
    : options.baseUrl,
  allowAbsoluteUrls: options.allowAbsoluteUrls ?? base?.allowAbsoluteUrls ?? false,
  allowOutsideBasePath: options.allowOutsideBasePath ?? base?.allowOutsideBasePath ?? false,
  allowAddress: options.allowAddress ?? base?.allowAddress,
  spans: options.spans ?? base?.spans ?? true,
  metrics: options.metrics ?? base?.metrics ?? true,
  decompress: options.decompress ?? base?.decompress ?? true,
  propagation: options.propagation === undefined
    ? base?.propagation ?? Propagation.make()
    : Propagation.make(options.propagation),
  retryLogLevel: options.retryLogLevel ?? base?.retryLogLevel ?? "Debug",
  policies: options.policies ?? base?.policies ?? [],
  hooks: options.hooks ?? base?.hooks
})

/** The first invalid option as an `InvalidOptions`, or `undefined` (`Client.validate`). */
export const validateOptions = (options: Options | undefined): Errors.InvalidOptions | undefined => {
  const problem = checkOptions(options)
  return problem === undefined ? undefined : new Errors.InvalidOptions(problem)
}
