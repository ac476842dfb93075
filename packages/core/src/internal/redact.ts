/**
 * Redaction of secrets in urls and headers before they reach an error message,
 * a log line or a span.
 *
 * @internal
 */

const SENSITIVE_PARAM =
  /^(?:.*(?:token|secret|passw(?:or)?d|pwd|signature|credential|api[-_]?key|session)|key|sig|auth|authorization|code|x-amz-.*|x-goog-.*)$/i

/** @internal */
export const REDACTED = "<redacted>"

/** @internal */
export const isSensitiveParam = (name: string): boolean => SENSITIVE_PARAM.test(name)

/**
 * Removes user info and the values of token-like query parameters.
 * Accepts strings that are not urls and returns them cut to 200 characters.
 *
 * @internal
 */
export const redactUrl = (input: string | URL): string => {
  let url: URL
  try {
    url = typeof input === "string" ? new URL(input) : input
  } catch {
    const text = String(input)
    return text.length > 200 ? `${text.slice(0, 200)}…` : text
  }
  if (url.username === "" && url.password === "" && url.search === "") return url.href
  const copy = new URL(url.href)
  if (copy.username !== "" || copy.password !== "") {
    copy.username = copy.password === "" ? REDACTED : copy.username
    copy.password = copy.password === "" ? "" : REDACTED
  }
  if (copy.search !== "") {
    const params = copy.searchParams
    let touched = false
    const next = new URLSearchParams()
    for (const [name, value] of params) {
      if (isSensitiveParam(name)) {
        touched = true
        next.append(name, REDACTED)
      } else {
        next.append(name, value)
      }
    }
    if (touched) copy.search = next.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED)
  }
  return copy.href.replaceAll(encodeURIComponent(REDACTED), REDACTED)
}

const SENSITIVE_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-csrf-token",
  "x-xsrf-token"
])

/** @internal */
export const isSensitiveHeader = (name: string): boolean => {
  const lower = name.toLowerCase()
  return SENSITIVE_HEADERS.has(lower) || /(?:token|secret|password|signature|api[-_]?key)/.test(lower)
}

/** @internal */
export const redactHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (value === undefined) continue
    out[name] = isSensitiveHeader(name) ? REDACTED : Array.isArray(value) ? value.join(", ") : String(value)
  }
  return out
}
