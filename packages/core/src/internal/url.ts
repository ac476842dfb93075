/**
 * A request's url against its client's base url: the one place that decides
 * where a request may go.
 *
 * Every decision compares parsed urls (WHATWG `URL`), never strings: the
 * parser is what the transport will use, so whatever it makes of a
 * backslash, a tab, an upper-case scheme, leading spaces or `user@host`, the
 * check sees the same thing. Strings are only cut to build the candidate
 * url; the candidate is then parsed and checked as a whole, so a mistake in
 * building it fails closed.
 *
 * Pure: no Effect runtime, so a port to Effect 4 reuses it as it is.
 *
 * @internal
 */
import * as Address from "../Address.js"

/** What a client allows. Build it once per client with {@link rules}. @internal */
export interface UrlRules {
  /** The base url (without query or fragment), if the client has one. */
  readonly base: URL | undefined
  /** The base path as a directory (ends with `/`): requests stay under it. */
  readonly dir: string
  /** `dir` on the base origin, parsed once: what a relative path is joined under. */
  readonly dirUrl: URL | undefined
  /** Absolute urls (any origin, any path) are used as they are. */
  readonly allowAbsoluteUrls: boolean
  /** Relative paths may leave the base path (`../`). */
  readonly allowOutsideBasePath: boolean
}

/** A request url that may be sent. `crossOrigin`: an absolute url to another origin that the client allows. @internal */
export interface Resolved {
  readonly _tag: "Resolved"
  readonly url: URL
  readonly crossOrigin: boolean
}

/** A request url that is refused, with what to do about it. @internal */
export interface Rejected {
  readonly _tag: "Rejected"
  readonly reason: string
  readonly hint: string
}

/** The base url with `dir` as its path (set, not resolved: a `dir` of `//` is a path, not a host). */
const dirUrlOf = (base: URL, dir: string): URL => {
  const url = new URL(base.href)
  url.pathname = dir
  url.search = ""
  url.hash = ""
  return url
}

/** @internal */
export const rules = (
  base: URL | undefined,
  options: { readonly allowAbsoluteUrls?: boolean; readonly allowOutsideBasePath?: boolean } = {}
): UrlRules => {
  const dir = base === undefined ? "/" : base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`
  return {
    base,
    dir,
    dirUrl: base === undefined ? undefined : dirUrlOf(base, dir),
    allowAbsoluteUrls: options.allowAbsoluteUrls ?? false,
    allowOutsideBasePath: options.allowOutsideBasePath ?? false
  }
}

const parse = (input: string, base?: URL | string): URL | undefined => {
  try {
    return new URL(input, base)
  } catch {
    return undefined
  }
}

const reject = (reason: string, hint: string): Rejected => ({ _tag: "Rejected", reason, hint })

const ABSOLUTE_HINT = "Use an absolute http:// or https:// url, or give the client a `baseUrl`."

/** The WHATWG parser's own clean-up of its input: C0 controls and spaces around it, tabs and newlines inside. */
const C0_AROUND = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g
const TAB_OR_NEWLINE = /[\t\n\r]/g

/** Two hosts under the reserved `.invalid` TLD (RFC 2606): a reference resolves to one of them only when it names no host of its own. */
const PROBE_A = new URL("http://a.steadfast.invalid/")
const PROBE_B = new URL("http://b.steadfast.invalid/")

/** What the WHATWG parser reads as a scheme: without one, text is never an absolute url. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/

const isSlash = (c: string): boolean => c === "/" || c === "\\"

/**
 * Whether a reference without a scheme names a host of its own (`//host`,
 * `\\host`, `/\host`…): resolved against two different bases, it lands on
 * a host that is not theirs. Only a reference that starts with two slashes
 * (either kind, against an http(s) base) can; the others are not parsed
 * here (a wrong guess would still fail closed: the joined url's origin is
 * checked).
 */
const hasAuthority = (text: string): boolean => {
  if (!isSlash(text.charAt(0)) || !isSlash(text.charAt(1))) return false
  const a = parse(text, PROBE_A)
  const b = parse(text, PROBE_B)
  return a === undefined || b === undefined || a.host !== PROBE_A.host || b.host !== PROBE_B.host
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * Whether `url`'s path stays under the base directory, also for a server
 * that decodes the path once before it resolves dot segments (`..%2f`,
 * `%2e%2e%5c`): the parser already removed literal and `%2e` dot segments.
 */
const underBase = (url: URL, r: UrlRules): boolean => {
  const path = url.pathname
  const base = r.base!.pathname
  if (path === base || path === r.dir.slice(0, -1)) return true
  if (!path.startsWith(r.dir)) return false
  const rest = safeDecode(path.slice(r.dir.length))
  return !rest.split(/[/\\]/).some((segment) => segment === "..")
}

const checkScheme = (url: URL): Rejected | undefined =>
  url.protocol === "http:" || url.protocol === "https:"
    ? undefined
    : reject(`the scheme ${url.protocol} is not http: or https:`, "Only http and https urls are sent.")

/**
 * Resolves a request's url.
 *
 * - Without a base, the url must be absolute.
 * - With a base, a path (`users/1`, `/users/1`, `?page=2`) is joined under
 *   the base path, as axios and Effect's `prependUrl` do: `/users` with the
 *   base `https://api.test/v1` is `https://api.test/v1/users`. It may not
 *   climb out of the base path (`../`, `%2e%2e/`, `..%2f`) unless
 *   `allowOutsideBasePath`.
 * - With a base, an absolute url (or one naming its own host: `//host`,
 *   `\\host`) must be on the base origin and under the base path, unless
 *   `allowAbsoluteUrls`, which lets it through as it is.
 *
 * @internal
 */
export const resolve = (input: string, r: UrlRules): Resolved | Rejected => {
  const base = r.base
  if (base === undefined) {
    const url = parse(input)
    if (url === undefined) {
      const trimmed = input.trim()
      return reject(
        trimmed === ""
          ? "the url is empty"
          : /^[a-z][a-z0-9+.-]*:/i.test(trimmed)
          ? "it cannot be parsed"
          : "it is relative and the client has no baseUrl",
        ABSOLUTE_HINT
      )
    }
    return checkScheme(url) ?? { _tag: "Resolved", url, crossOrigin: false }
  }
  const text = input.replace(C0_AROUND, "").replace(TAB_OR_NEWLINE, "")
  // a path (the usual input with a base) is not parsed on its own: that throws, which is slow
  let url = SCHEME.test(text) ? parse(text) : undefined
  const absolute = url !== undefined || hasAuthority(text)
  if (url === undefined && absolute) url = parse(text, base)
  if (url === undefined) {
    // a path: joined under the base path. A query or fragment alone keeps the base path as it is.
    const first = text.charAt(0)
    const rest = first === "/" || first === "\\" ? text.slice(1) : text
    url = rest === "" || rest.startsWith("?") || rest.startsWith("#")
      ? parse(rest, base)
      : parse(`./${rest}`, r.dirUrl)
    if (url === undefined) return reject("it cannot be parsed against the base url", ABSOLUTE_HINT)
  }
  const scheme = checkScheme(url)
  if (scheme !== undefined) return scheme
  if (absolute && r.allowAbsoluteUrls) return { _tag: "Resolved", url, crossOrigin: url.origin !== base.origin }
  if (url.origin !== base.origin) {
    return reject(
      `${url.origin} is not the origin of the client's base url (${base.origin})`,
      "This client sends requests only to its baseUrl's origin: pass a path, or set `allowAbsoluteUrls: true` " +
        "on a client meant to reach any url (its credentials still go to the base origin only)."
    )
  }
  if (!r.allowOutsideBasePath && !underBase(url, r)) {
    return reject(
      `its path ${url.pathname} leaves the base path ${r.dir}`,
      "Paths stay under the baseUrl's path: remove the `..` segments, or set `allowOutsideBasePath: true` " +
        "if this client may reach the whole origin."
    )
  }
  return { _tag: "Resolved", url, crossOrigin: false }
}

/**
 * Why `guard` refuses the host of `url` when the host is an IP address
 * (in any spelling the parser accepts), or `undefined`. A name is left to
 * the transport, which checks the addresses it resolves to.
 *
 * @internal
 */
export const literalRefusal = (guard: ((address: string) => boolean) | undefined, url: URL): string | undefined => {
  if (guard === undefined) return undefined
  const host = url.hostname
  if (Address.kind(host) === undefined) return undefined
  const why = Address.refusal(guard, host)
  return why === undefined ? undefined : `${url.host}: ${why}`
}
