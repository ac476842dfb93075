/**
 * Redaction of secrets in urls and headers before they reach an error message,
 * a log line or a span.
 *
 * @internal
 */

const SENSITIVE_WORD = /token|secret|passw(?:or)?d|pwd|signature|credential|api[-_]?key|apikey|session|private[-_]?key/i
const SENSITIVE_NAME = /^(?:key|sig|auth|authorization|code|jwt|x-amz-.*|x-goog-.*)$/i

/** @internal */
export const REDACTED = "<redacted>"

/** Whether a query parameter's name looks secret, by its patterns (what `isSensitiveParam` remembers). @internal */
export const matchesSensitiveParam = (name: string): boolean => SENSITIVE_WORD.test(name) || SENSITIVE_NAME.test(name)

/** Parameter names seen, and whether each is sensitive: a client's urls use the same few names again and again. */
const seenParams = new Map<string, boolean>()

/** @internal */
export const isSensitiveParam = (name: string): boolean => {
  const known = seenParams.get(name)
  if (known !== undefined) return known
  const sensitive = matchesSensitiveParam(name)
  // names of a few dozen characters at most are kept, and a few hundred of them (a bounded cache)
  if (seenParams.size < 512 && name.length <= 64) seenParams.set(name, sensitive)
  return sensitive
}

/** A query parameter's name decoded (`+` as a space, `%XX` escapes), or as it is when it does not decode. @internal */
export const safeDecode = (text: string): string => {
  // nothing to decode: the common case, without the regex, the copy and the try
  if (!text.includes("%") && !text.includes("+")) return text
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return text
  }
}

/**
 * Replaces the values of sensitive `name=value` pairs in a query string or
 * fragment (without its leading `?` / `#`), keeping everything else byte for
 * byte; text without a sensitive pair (most queries) as it is, unsplit.
 *
 * @internal
 */
export const redactPairs = (text: string): string => hasSensitivePair(text) ? redactEachPair(text) : text

/**
 * `redactPairs` without its shortcut: every pair split, checked and joined
 * again. What the shortcut is checked against.
 *
 * @internal
 */
export const redactEachPair = (text: string): string =>
  text.split("&").map((pair) => {
    const eq = pair.indexOf("=")
    if (eq < 0) return pair
    return isSensitiveParam(safeDecode(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=${REDACTED}` : pair
  }).join("&")

/** Whether a pair of `text` has a sensitive name (else `redactEachPair` would give `text` back as it is). */
const hasSensitivePair = (text: string): boolean => {
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf("&", start)
    if (end < 0) end = text.length
    const eq = text.indexOf("=", start)
    if (eq >= 0 && eq < end && isSensitiveParam(safeDecode(text.slice(start, eq)))) return true
    start = end + 1
  }
  return false
}

const FREE_PAIR = /([?&#;\s]|^)([^=&?#;\s]+)=([^&#;\s]*)/g
const FREE_USERINFO = /(\/\/[^/@:\s]*):[^/@\s]*@/g
/** `user:password@host` written without a scheme (it parses as a url of scheme `user:`). */
const LEADING_USERINFO = /^([^/@:\s]+):[^/@\s]*@/

/** A lone user name in a url's user info (`//token@host`): usually a token. */
const FREE_USER = /(\/\/)[^/@:\s]+@/g
/** Credentials after an auth scheme (`Bearer abc`, `Basic dXNlcjpwdw==`). */
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token|Negotiate|NTLM|AWS4-HMAC-SHA256)\s+[^\s,;"'<>]+/gi
/** A sensitive header quoted in text (`authorization: …`, `"cookie":"…"`). */
const HEADER_IN_TEXT =
  /\b((?:proxy-)?authorization|(?:set-)?cookie|x-api-key|api-key|x-auth-token)(["']?\s*[:=]\s*["']?)[^\r\n"']+/gi

/**
 * What every pattern of `redactFreeText` needs to match: user info needs an
 * `@`, a pair an `=`, an auth scheme its name, a quoted header its name. Text
 * without any of them (most error messages: `read ECONNRESET`) has nothing to
 * redact, and is returned without running the patterns.
 */
const MAY_HOLD_SECRET = /[@=]|bearer|basic|digest|token|negotiate|ntlm|aws4-hmac-sha256|authorization|cookie|api-key/i

const cleanText = (text: string): string =>
  text
    .replace(FREE_USERINFO, `$1:${REDACTED}@`)
    .replace(FREE_USER, `$1${REDACTED}@`)
    .replace(LEADING_USERINFO, `$1:${REDACTED}@`)
    .replace(
      FREE_PAIR,
      (all, lead: string, name: string) => isSensitiveParam(safeDecode(name)) ? `${lead}${name}=${REDACTED}` : all
    )

/** Redacts text that is not a url (a url without a scheme, a bad url). */
const redactText = (text: string): string => cleanText(text.length > 200 ? `${text.slice(0, 200)}…` : text)

/**
 * Redacts free text that may quote urls, credentials or headers (a foreign
 * error's message or stack): user info, token-like parameters, the
 * credentials after an auth scheme and the values of sensitive headers.
 * Cut to 4,000 characters.
 *
 * @internal
 */
export const redactFreeText = (text: string): string =>
  text.length <= 4000 && !MAY_HOLD_SECRET.test(text) ? text : redactFreeTextAlways(text)

/**
 * `redactFreeText` without its shortcut: every pattern runs. What the
 * shortcut is checked against.
 *
 * @internal
 */
export const redactFreeTextAlways = (text: string): string =>
  cleanText(text.length > 4000 ? `${text.slice(0, 4000)}…` : text)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(HEADER_IN_TEXT, `$1$2${REDACTED}`)

/** A JSON member (`"access_token": "…"`, `"password":123`): its value is redacted when the name is sensitive. */
const JSON_MEMBER = /("([^"\\]{1,64})"\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]]+)/g

/**
 * Redacts a response body kept for debugging (`StatusError.body`): what
 * {@link redactFreeText} redacts, plus the values of JSON members and form
 * pairs whose names look secret (`access_token`, `password`, `api_key`…),
 * which an error body may echo back.
 *
 * @internal
 */
export const redactBody = (text: string): string => {
  const free = redactFreeText(text)
  // a body without a quote, or without a word a sensitive name needs, has no member to redact:
  // the failure path skips the pattern (most error bodies are short text or `{"error":"…"}`)
  if (!free.includes("\"") || !MAY_NAME_SECRET.test(free)) return free
  return redactBodyMembers(free)
}

/** Every sensitive member name ({@link isSensitiveParam}, "code" aside) contains one of these. */
const MAY_NAME_SECRET = /token|secret|passw|pwd|sig|credential|key|session|auth|jwt|x-amz-|x-goog-/i

/**
 * The values of JSON members with a sensitive name, redacted; what
 * `redactBody`'s shortcut is checked against.
 *
 * @internal
 */
export const redactBodyMembers = (text: string): string =>
  text.replace(
    JSON_MEMBER,
    // "code" is a secret in a query (an OAuth authorization code) but an error code in a body
    (all, lead: string, name: string) =>
      isSensitiveParam(name) && name.toLowerCase() !== "code" ? `${lead}"${REDACTED}"` : all
  )

/**
 * Removes the password of the user info and the values of token-like query
 * (and fragment) parameters, keeping the rest of the url as it was written.
 * Text that is not a url is cut to 200 characters and cleaned the same way.
 *
 * @internal
 */
export const redactUrl = (input: string | URL): string => {
  let url: URL
  try {
    url = typeof input === "string" ? new URL(input) : input
  } catch {
    return redactText(String(input))
  }
  // an opaque url (no "//"), such as `user:password@proxy:3128`: clean it as text
  if (url.host === "" && url.href.includes("@")) return redactText(url.href)
  if (url.username === "" && url.password === "" && url.search === "" && url.hash === "") return url.href
  let out = `${url.protocol}//`
  if (url.username !== "" || url.password !== "") {
    out += url.password === "" ? `${REDACTED}@` : `${url.username}:${REDACTED}@`
  }
  out += `${url.host}${url.pathname}`
  if (url.search !== "") out += `?${redactPairs(url.search.slice(1))}`
  if (url.hash !== "") out += `#${redactPairs(url.hash.slice(1))}`
  return out
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

const SENSITIVE_HEADER_WORD = /(?:token|secret|password|signature|api[-_]?key)/

/** Header names seen, and whether each is sensitive: the same few dozen names come back on every response. */
const seenHeaders = new Map<string, boolean>()

/** @internal */
export const isSensitiveHeader = (name: string): boolean => {
  const known = seenHeaders.get(name)
  if (known !== undefined) return known
  const lower = name.toLowerCase()
  const sensitive = SENSITIVE_HEADERS.has(lower) || SENSITIVE_HEADER_WORD.test(lower)
  if (seenHeaders.size < 512) seenHeaders.set(name, sensitive)
  return sensitive
}

/** @internal */
export const redactHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  extra?: ReadonlySet<string>
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (value === undefined) continue
    out[name] = isSensitiveHeader(name) || extra?.has(name.toLowerCase()) === true
      ? REDACTED
      : Array.isArray(value)
      ? value.join(", ")
      : String(value)
  }
  return out
}
