/**
 * Checks a client's options before anything is built: a number that is NaN,
 * negative or infinite where a finite one is needed, a duration that does not
 * decode, a base url that is not an http(s) url — each is reported as one
 * problem naming the option, the value and what is allowed, instead of a
 * defect thrown while the layer is built or a limit silently turned off
 * (`maxBodySize: NaN` compared false with every size; `Duration.decode(NaN)`
 * is zero).
 *
 * Pure: no Effect runtime.
 *
 * @internal
 */
import * as Duration from "#line/Duration"
import * as Redacted from "effect/Redacted"
import { isPolicy } from "../Policy.js"
import { redactUrl } from "./redact.js"

/** One invalid option. @internal */
export interface Problem {
  readonly option: string
  readonly value: string
  readonly expected: string
}

const show = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (typeof value === "bigint") return `${value}n`
  if (typeof value === "function") return "a function"
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`
  if (value instanceof URL) return redactUrl(value)
  if (typeof value === "object" && value !== null) return "an object"
  return String(value)
}

const problem = (option: string, value: unknown, expected: string): Problem => ({
  option,
  value: show(value),
  expected
})

const DURATION = "a duration (\"5 seconds\", milliseconds >= 0, or Duration.infinity)"
const NEGATIVE_TEXT = /^\s*-/

/**
 * A `Duration.DurationInput` that means what it says: a number of
 * milliseconds >= 0 (or `Infinity`), a bigint of nanoseconds >= 0, a
 * `[seconds, nanos]` pair >= 0, a string `Duration.decode` reads (not
 * negative), or a `Duration`.
 *
 * @internal
 */
export const checkDuration = (option: string, value: unknown): Problem | undefined => {
  if (value === undefined) return undefined
  if (Duration.isDuration(value)) return undefined
  if (typeof value === "number") return value >= 0 ? undefined : problem(option, value, DURATION)
  if (typeof value === "bigint") return value >= 0n ? undefined : problem(option, value, DURATION)
  if (Array.isArray(value)) {
    return value.length === 2 && value.every((n) => typeof n === "number" && Number.isFinite(n) && n >= 0)
      ? undefined
      : problem(option, value, DURATION)
  }
  if (typeof value === "string") {
    return !NEGATIVE_TEXT.test(value) && Duration.decodeUnknown(value)._tag === "Some"
      ? undefined
      : problem(option, value, DURATION)
  }
  return problem(option, value, DURATION)
}

/** An integer >= `min`; `Infinity` too when `infinite` names what it means. @internal */
export const checkCount = (
  option: string,
  value: unknown,
  min: number,
  infinite?: string
): Problem | undefined => {
  if (value === undefined) return undefined
  if (typeof value === "number" && Number.isInteger(value) && value >= min) return undefined
  if (value === Infinity && infinite !== undefined) return undefined
  return problem(
    option,
    value,
    `an integer >= ${min}${infinite === undefined ? "" : `, or Infinity (${infinite})`}`
  )
}

const checkPolicies = (value: unknown): Problem | undefined => {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) return problem("policies", value, "an array of policies (Breaker.make(), …)")
  const index = value.findIndex((p) => !isPolicy(p))
  return index < 0 ? undefined : problem(`policies[${index}]`, value[index], "a policy (Breaker.make(), …)")
}

const checkBoolean = (option: string, value: unknown): Problem | undefined =>
  value === undefined || typeof value === "boolean" ? undefined : problem(option, value, "true or false")

const checkFunction = (option: string, value: unknown): Problem | undefined =>
  value === undefined || typeof value === "function" ? undefined : problem(option, value, "a function")

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** A header name (an RFC 9110 token). @internal */
export const checkHeaderName = (option: string, value: unknown): Problem | undefined =>
  typeof value === "string" && TOKEN.test(value) ? undefined : problem(option, value, "a header name (RFC 9110 token)")

/** A base url: an absolute http(s) url without query or fragment. @internal */
export const checkBaseUrl = (option: string, value: unknown): Problem | undefined => {
  if (value === undefined) return undefined
  const expected = "an absolute http:// or https:// url without query or fragment"
  let url: URL
  try {
    if (typeof value !== "string" && !(value instanceof URL)) return problem(option, value, expected)
    url = new URL(value)
  } catch {
    return { option, value: show(typeof value === "string" ? redactUrl(value) : value), expected }
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.hash !== "") {
    return { option, value: show(redactUrl(url)), expected }
  }
  return undefined
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const first = (checks: ReadonlyArray<() => Problem | undefined>): Problem | undefined => {
  for (const check of checks) {
    const found = check()
    if (found !== undefined) return found
  }
  return undefined
}

const checkRetry = (retry: unknown): Problem | undefined => {
  if (retry === undefined) return undefined
  if (!isObject(retry)) return problem("retry", retry, "a Retry.Policy or Retry.Options")
  if ("schedule" in retry && "enabled" in retry) return undefined // a built policy: checked when it was built
  const backoff = retry["backoff"]
  return first([
    () => checkCount("retry.retries", retry["retries"], 0, "no limit"),
    () => checkDuration("retry.maxElapsed", retry["maxElapsed"]),
    () => checkDuration("retry.retryAfterMax", retry["retryAfterMax"]),
    () => checkBoolean("retry.retryNonIdempotent", retry["retryNonIdempotent"]),
    () => checkFunction("retry.retryOn", retry["retryOn"]),
    () =>
      backoff === undefined ? undefined : !isObject(backoff) ? problem("retry.backoff", backoff, "an object") : first([
        () => checkDuration("retry.backoff.base", backoff["base"]),
        () => checkDuration("retry.backoff.cap", backoff["cap"]),
        () => {
          const f = backoff["factor"]
          return f === undefined || (typeof f === "number" && Number.isFinite(f) && f >= 1)
            ? undefined
            : problem("retry.backoff.factor", f, "a finite number >= 1")
        },
        () => {
          const j = backoff["jitter"]
          return j === undefined || j === "full" || j === "equal" || j === "decorrelated" || j === "none"
            ? undefined
            : problem("retry.backoff.jitter", j, "\"full\", \"equal\", \"decorrelated\" or \"none\"")
        }
      ])
  ])
}

const checkRedirects = (redirects: unknown): Problem | undefined => {
  if (redirects === undefined) return undefined
  if (!isObject(redirects)) return problem("redirects", redirects, "a Redirects.Policy or Redirects.Input")
  const names = redirects["sensitiveHeaders"]
  return first([
    () => checkCount("redirects.max", redirects["max"], 0),
    () => checkBoolean("redirects.follow", redirects["follow"]),
    () => checkBoolean("redirects.allowDowngrade", redirects["allowDowngrade"]),
    () => checkFunction("redirects.allow", redirects["allow"]),
    () =>
      names === undefined || names instanceof Set
        ? undefined
        : !Array.isArray(names)
        ? problem("redirects.sensitiveHeaders", names, "an array of header names")
        : first(names.map((name, i) => () => checkHeaderName(`redirects.sensitiveHeaders[${i}]`, name)))
  ])
}

const checkCredentials = (options: Record<string, unknown>): Problem | undefined => {
  const headers = options["headers"]
  const auth = options["auth"]
  const origins = options["credentialOrigins"]
  return first([
    () =>
      headers === undefined ? undefined : !isObject(headers) || Array.isArray(headers)
        ? problem("headers", headers, "an object of header names to values")
        : first(
          Object.keys(headers).map((name) => () => {
            const value = headers[name]
            const badName = checkHeaderName("headers", name)
            if (badName !== undefined) return badName
            if (Redacted.isRedacted(value)) return undefined
            // the value is not shown: it may be a secret
            return typeof value !== "string"
              ? { option: `headers.${name}`, value: typeof value, expected: "a string or a Redacted string" }
              : /[\r\n\0]/.test(value)
              ? { option: `headers.${name}`, value: "a value with CR, LF or NUL", expected: "a header value" }
              : undefined
          })
        ),
    () => {
      if (auth === undefined) return undefined
      if (!isObject(auth) || !(Symbol.for("@steadfast/core/Auth") in auth)) {
        return problem("auth", auth, "credentials built by Auth.bearer or Auth.basic")
      }
      const wrong = auth["problem"]
      return typeof wrong === "string" ? { option: "auth", value: wrong, expected: "usable credentials" } : undefined
    },
    () =>
      origins === undefined || origins === "any" ? undefined : !Array.isArray(origins)
        ? problem("credentialOrigins", origins, "an array of origins (\"https://api.example.com\"), or \"any\"")
        : first(origins.map((origin, i) => () => checkOrigin(`credentialOrigins[${i}]`, origin))),
    () => checkFunction("mapRequest", options["mapRequest"])
  ])
}

const checkOrigin = (option: string, value: unknown): Problem | undefined => {
  const expected = "an http:// or https:// origin (\"https://api.example.com\")"
  try {
    if (typeof value !== "string" && !(value instanceof URL)) return problem(option, value, expected)
    const url = new URL(value)
    return url.protocol === "http:" || url.protocol === "https:" ? undefined : problem(option, redactUrl(url), expected)
  } catch {
    return problem(option, typeof value === "string" ? redactUrl(value) : value, expected)
  }
}

const LOG_LEVELS: ReadonlyArray<string> = ["All", "Trace", "Debug", "Info", "Warning", "Error", "Fatal", "None"]

const checkPropagationOrigin = (option: string, value: unknown): Problem | undefined => {
  const expected = "an origin such as \"https://api.example.com\" (scheme, host and port; no path)"
  if (typeof value !== "string") return problem(option, value, expected)
  try {
    const url = new URL(value)
    return (url.protocol === "http:" || url.protocol === "https:") && url.pathname === "/" && url.search === "" &&
        url.hash === "" && url.username === "" && url.password === ""
      ? undefined
      : problem(option, redactUrl(url), expected)
  } catch {
    return problem(option, redactUrl(value), expected)
  }
}

const checkPropagation = (propagation: unknown): Problem | undefined => {
  if (propagation === undefined || typeof propagation === "boolean") return undefined
  if (!isObject(propagation)) return problem("propagation", propagation, "true, false, or { formats, origins }")
  const formats = propagation["formats"]
  const origins = propagation["origins"]
  return first([
    () =>
      formats === undefined ? undefined : !Array.isArray(formats)
        ? problem("propagation.formats", formats, "an array of \"w3c\" and \"b3\"")
        : first(formats.map((f, i) => () =>
          f === "w3c" || f === "b3" ? undefined : problem(`propagation.formats[${i}]`, f, "\"w3c\" or \"b3\"")
        )),
    () =>
      origins === undefined || origins === "all" || typeof origins === "function" ? undefined : !Array.isArray(origins)
        ? problem("propagation.origins", origins, "\"all\", an array of origins, or a function of the url")
        : first(origins.map((o, i) => () => checkPropagationOrigin(`propagation.origins[${i}]`, o)))
  ])
}

/** Options of the pool, not of a client: they cannot change per request. */
const POOL_OPTIONS = ["tls", "proxy", "pool"] as const

/**
 * The first invalid option of a client's options, if any.
 *
 * @internal
 */
export const check = (options: unknown): Problem | undefined => {
  if (options === undefined) return undefined
  if (!isObject(options)) return problem("options", options, "an object")
  const timeouts = options["timeouts"]
  return first([
    ...POOL_OPTIONS.map((name) => () =>
      options[name] === undefined ? undefined : {
        option: name,
        value: "given",
        expected: "no value here: TLS, proxy and pool settings belong to the connection pool and cannot change " +
          "per client or per request; build another layer (NodeClient.layer({ tls, proxy, pool })) for other settings"
      }
    ),
    () => checkRetry(options["retry"]),
    () =>
      timeouts === undefined ? undefined : !isObject(timeouts) ? problem("timeouts", timeouts, "an object") : first(
        (["pool", "connect", "response", "bodyIdle", "deadline"] as const).map((name) => () =>
          checkDuration(`timeouts.${name}`, timeouts[name])
        )
      ),
    () => checkRedirects(options["redirects"]),
    () => checkCount("maxBodySize", options["maxBodySize"], 0, "no limit"),
    () => checkFunction("isFailure", options["isFailure"]),
    () => checkBaseUrl("baseUrl", options["baseUrl"]),
    () => checkBoolean("allowAbsoluteUrls", options["allowAbsoluteUrls"]),
    () => checkBoolean("allowOutsideBasePath", options["allowOutsideBasePath"]),
    () => checkFunction("allowAddress", options["allowAddress"]),
    () => checkCredentials(options),
    () => checkBoolean("spans", options["spans"]),
    () => checkBoolean("metrics", options["metrics"]),
    () => checkBoolean("decompress", options["decompress"]),
    () => checkPropagation(options["propagation"]),
    () => {
      const level = options["retryLogLevel"]
      return level === undefined || (typeof level === "string" && LOG_LEVELS.includes(level))
        ? undefined
        : problem("retryLogLevel", level, LOG_LEVELS.map((l) => `"${l}"`).join(", "))
    },
    () => checkPolicies(options["policies"])
  ])
}
