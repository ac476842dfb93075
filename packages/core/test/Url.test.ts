/**
 * Request urls against the client's base url: the base origin and path are
 * pinned whatever WHATWG parsing makes of the input.
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as fc from "effect/FastCheck"
import { resolve, rules } from "../src/internal/url.js"

const BASE = new URL("https://api.test/v1/")
const pinned = rules(BASE)
const SEED = 18_2026

const href = (input: string, r = pinned): string => {
  const out = resolve(input, r)
  return out._tag === "Resolved" ? out.url.href : `rejected: ${out.reason}`
}

describe("base origin pinned", () => {
  it.each([
    ["https://evil.test/x"],
    ["HTTPS://EVIL.TEST/x"],
    ["//evil.test/x"],
    ["\\\\evil.test\\x"],
    ["/\\evil.test/x"],
    ["\\/evil.test/x"],
    ["  https://evil.test/x"],
    ["\thttps://evil.test/x"],
    ["ht\ttps://evil.test/x"],
    ["https:\t//evil.test/x"],
    ["https://api.test@evil.test/v1/x"],
    ["http://api.test/v1/x"],
    ["https://api.test:8443/v1/x"],
    ["https:evil.test/x"],
    ["http:\\\\evil.test"],
    ["\u0000https://evil.test/x"],
    ["https://evil.test\\@api.test/v1/"]
  ])("%j is another origin: refused", (input) => {
    const out = resolve(input, pinned)
    strictEqual(out._tag, "Rejected")
    if (out._tag === "Rejected") {
      assertTrue(out.reason.includes("is not the origin") || out.reason.includes("scheme"), out.reason)
      assertTrue(out.hint.length > 0)
    }
  })

  it.each([
    ["../admin"],
    ["../../etc/passwd"],
    ["/../admin"],
    ["%2e%2e/admin"],
    ["%2E%2E/admin"],
    [".%2e/admin"],
    ["..%2fadmin"],
    ["..%5cadmin"],
    ["%2e%2e%2fadmin"],
    ["a/../../admin"],
    ["..\\admin"],
    ["https://api.test/admin"],
    ["//api.test/admin"]
  ])("%j climbs above the base path: refused", (input) => {
    const out = resolve(input, pinned)
    strictEqual(out._tag, "Rejected")
    if (out._tag === "Rejected") assertTrue(out.reason.includes("leaves the base path"), out.reason)
  })

  it.each([
    ["users", "https://api.test/v1/users"],
    ["/users", "https://api.test/v1/users"],
    ["\\users", "https://api.test/v1/users"],
    ["users/1?full=true#top", "https://api.test/v1/users/1?full=true#top"],
    ["a/../users", "https://api.test/v1/users"],
    ["./users", "https://api.test/v1/users"],
    ["  /users  ", "https://api.test/v1/users"],
    ["", "https://api.test/v1/"],
    ["?page=2", "https://api.test/v1/?page=2"],
    ["@evil.test/x", "https://api.test/v1/@evil.test/x"],
    ["https://api.test/v1/users", "https://api.test/v1/users"],
    ["HTTPS://API.TEST:443/v1/users", "https://api.test/v1/users"],
    ["//api.test/v1/users", "https://api.test/v1/users"]
  ])("%j stays under the base: %s", (input, expected) => {
    strictEqual(href(input), expected)
  })

  it("a base without a trailing slash is a directory too", () => {
    const r = rules(new URL("https://api.test/v1"))
    strictEqual(href("/users", r), "https://api.test/v1/users")
    strictEqual(href("users", r), "https://api.test/v1/users")
    strictEqual(href("", r), "https://api.test/v1")
    strictEqual(href("../v2/users", r).startsWith("rejected"), true)
  })

  it("allowAbsoluteUrls sends absolute urls as they are and says they leave the origin", () => {
    const r = rules(BASE, { allowAbsoluteUrls: true })
    const out = resolve("https://other.test/x", r)
    deepStrictEqual(out._tag === "Resolved" && [out.url.href, out.crossOrigin], ["https://other.test/x", true])
    const same = resolve("https://api.test/elsewhere", r)
    deepStrictEqual(same._tag === "Resolved" && [same.url.href, same.crossOrigin], [
      "https://api.test/elsewhere",
      false
    ])
    // paths are still pinned under the base path
    strictEqual(resolve("../admin", r)._tag, "Rejected")
    // and the scheme is still http(s)
    strictEqual(resolve("file:///etc/passwd", r)._tag, "Rejected")
  })

  it("allowOutsideBasePath lets paths climb, never leave the origin", () => {
    const r = rules(BASE, { allowOutsideBasePath: true })
    strictEqual(href("../admin", r), "https://api.test/admin")
    strictEqual(resolve("https://evil.test/", r)._tag, "Rejected")
  })

  it("a base path that starts with // is a path, not a host: paths join under it", () => {
    const r = rules(new URL("https://api.test//v1/"))
    strictEqual(href("users", r), "https://api.test//v1/users")
    strictEqual(href("/users", r), "https://api.test//v1/users")
  })

  it("the base url's credentials stay on a path joined under it", () => {
    strictEqual(href("users", rules(new URL("https://me:pw@api.test/v1/"))), "https://me:pw@api.test/v1/users")
  })

  it("without a base the url must be absolute http(s)", () => {
    const r = rules(undefined)
    strictEqual(href("https://evil.test/x", r), "https://evil.test/x")
    strictEqual(href("/users", r), "rejected: it is relative and the client has no baseUrl")
    strictEqual(href("", r), "rejected: the url is empty")
    strictEqual(href("ftp://x.test/", r), "rejected: the scheme ftp: is not http: or https:")
  })
})

// --- properties ---------------------------------------------------------------

const piece = fc.constantFrom(
  "/",
  "\\",
  "//",
  "\\\\",
  "..",
  ".",
  "%2e",
  "%2E",
  "%2f",
  "%5c",
  "@",
  ":",
  "?",
  "#",
  "\t",
  " ",
  "\n",
  "http:",
  "HTTPS:",
  "https://",
  "evil.test",
  "api.test",
  "api.test:443",
  "127.0.0.1",
  "[::1]",
  "user:pw@",
  "v1",
  "admin",
  "x"
)
const hostile = fc.array(piece, { minLength: 0, maxLength: 10 }).map((parts) => parts.join(""))
const segment = fc.stringMatching(/^[a-zA-Z0-9_-]{1,8}$/)

const decodeOnce = (s: string) => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

describe("properties (fast-check, fixed seed)", () => {
  it.prop(
    "whatever the input, a pinned client sends only to the base origin, under the base path",
    [hostile],
    ([input]) => {
      const out = resolve(input, pinned)
      if (out._tag === "Rejected") return
      strictEqual(out.url.origin, BASE.origin, input)
      strictEqual(out.crossOrigin, false)
      assertTrue(out.url.pathname === "/v1" || out.url.pathname.startsWith("/v1/"), `${input} -> ${out.url.href}`)
      const rest = decodeOnce(out.url.pathname.slice(4))
      assertTrue(!rest.split(/[/\\]/).includes(".."), `${input} -> ${out.url.href}`)
    },
    { fastCheck: { seed: SEED, numRuns: 2000 } }
  )

  it.prop(
    "an input that WHATWG resolves to another origin is always refused",
    [hostile],
    ([input]) => {
      let whatwg: URL | undefined
      try {
        whatwg = new URL(input, BASE)
      } catch {
        whatwg = undefined
      }
      if (whatwg === undefined || whatwg.origin === BASE.origin) return
      strictEqual(resolve(input, pinned)._tag, "Rejected", input)
    },
    { fastCheck: { seed: SEED, numRuns: 2000 } }
  )

  it.prop(
    "with allowAbsoluteUrls a relative reference goes to the origin WHATWG resolves it to (a host of its own is seen)",
    [hostile],
    ([input]) => {
      if (URL.canParse(input)) return // absolute: parsed on its own first (see above)
      let whatwg: URL | undefined
      try {
        whatwg = new URL(input, BASE)
      } catch {
        whatwg = undefined
      }
      const out = resolve(input, rules(BASE, { allowAbsoluteUrls: true }))
      if (out._tag === "Rejected" || whatwg === undefined) return
      strictEqual(out.url.origin, whatwg.origin, input)
      strictEqual(out.crossOrigin, out.url.origin !== BASE.origin, input)
    },
    { fastCheck: { seed: SEED, numRuns: 2000 } }
  )

  it.prop(
    "plain paths are joined under the base path, with or without a leading slash",
    [fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean()],
    ([segments, leading]) => {
      const path = segments.join("/")
      strictEqual(href(`${leading ? "/" : ""}${path}`), `https://api.test/v1/${path}`)
    },
    { fastCheck: { seed: SEED } }
  )

  it.prop(
    "with allowAbsoluteUrls an absolute http(s) url is sent as WHATWG parses it",
    [fc.webUrl({ validSchemes: ["http", "https"], withQueryParameters: true, withFragments: true })],
    ([input]) => {
      const out = resolve(input, rules(BASE, { allowAbsoluteUrls: true }))
      strictEqual(out._tag === "Resolved" ? out.url.href : out.reason, new URL(input).href)
    },
    { fastCheck: { seed: SEED } }
  )
})
