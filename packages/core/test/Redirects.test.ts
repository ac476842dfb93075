/**
 * The redirect rule, hop by hop: the method and body a redirect keeps or
 * drops, the headers kept across origins, the schemes followed, where a
 * location leads. When redirects stop (limits, loops, refusals) is in
 * Redirects.limits.test.ts.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Redirects } from "@steadfast/core"
import { Stream } from "effect"
import {
  ALWAYS_DROPPED,
  decide,
  expectFollow,
  FROM,
  getWithHeaders,
  nextUrl,
  postWithHeaders
} from "./helpers/redirects.js"

describe("Redirects", () => {
  describe("method and body", () => {
    it.each([301, 302])("%i after POST continues as GET without a body or content headers", (status) => {
      const next = expectFollow(decide(postWithHeaders(), status, "/c")).request
      strictEqual(next.method, "GET")
      strictEqual(next.body._tag, "Empty")
      strictEqual(next.headers["content-type"], undefined)
      strictEqual(next.headers["content-length"], undefined)
    })

    it.each([301, 302, 303])("%i that turns into GET drops content-encoding as well", (status) => {
      const request = postWithHeaders().pipe(HttpClientRequest.setHeader("Content-Encoding", "gzip"))
      const next = expectFollow(decide(request, status, "/c")).request
      strictEqual(next.method, "GET")
      strictEqual(next.headers["content-encoding"], undefined)
    })

    it.each([301, 302])("%i after PUT keeps the method and the body", (status) => {
      const request = HttpClientRequest.put(FROM).pipe(HttpClientRequest.bodyText("x"))
      const next = expectFollow(decide(request, status, "/c")).request
      strictEqual(next.method, "PUT")
      strictEqual(next.body, request.body)
    })

    it.each([301, 302, 303, 307, 308])("%i after GET stays GET", (status) => {
      strictEqual(expectFollow(decide(HttpClientRequest.get(FROM), status, "/c")).request.method, "GET")
    })

    it.each(["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const)(
      "303 after %s continues as GET without a body",
      (method) => {
        const request = HttpClientRequest.make(method)(FROM).pipe(HttpClientRequest.bodyText("x"))
        const next = expectFollow(decide(request, 303, "/c")).request
        strictEqual(next.method, "GET")
        strictEqual(next.body._tag, "Empty")
        strictEqual(next.headers["content-type"], undefined)
      }
    )

    it("303 after HEAD stays HEAD", () => {
      strictEqual(expectFollow(decide(HttpClientRequest.head(FROM), 303, "/c")).request.method, "HEAD")
    })

    it.each([307, 308])("%i keeps the method, the body and its content-type", (status) => {
      const request = postWithHeaders()
      const next = expectFollow(decide(request, status, "/c")).request
      strictEqual(next.method, "POST")
      strictEqual(next.body, request.body)
      strictEqual(next.headers["content-type"], "application/json")
    })

    it.each([307, 308])("%i with a body that cannot be replayed (a Stream) is returned as it is", (status) => {
      const request = HttpClientRequest.post(FROM).pipe(
        HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1, 2, 3])))
      )
      deepStrictEqual(decide(request, status, "/c"), { _tag: "Return" })
    })

    it("303 with a Stream body is followed: the body is dropped, so nothing needs replaying", () => {
      const request = HttpClientRequest.post(FROM).pipe(HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1]))))
      const next = expectFollow(decide(request, 303, "/c")).request
      strictEqual(next.method, "GET")
      strictEqual(next.body._tag, "Empty")
    })
  })

  describe("headers across origins", () => {
    it.each([
      { change: "host", location: "https://other.test/c" },
      { change: "subdomain", location: "https://www.api.test/c" },
      { change: "port", location: "https://api.test:8443/c" },
      { change: "scheme (http to https)", location: "https://api.test/c", from: "http://api.test/a/b" },
      { change: "host, scheme-relative location", location: "//other.test/c" }
    ])(
      "a $change change drops authorization, cookie and proxy-authorization, given in any case",
      ({ from, location }) => {
        for (const status of [301, 302, 303, 307, 308]) {
          const next = expectFollow(decide(getWithHeaders(from ?? FROM), status, location)).request
          for (const name of ALWAYS_DROPPED) {
            strictEqual(next.headers[name], undefined, `${status} kept ${name}`)
          }
          strictEqual(next.headers["accept"], "application/json", `${status} dropped accept`)
        }
      }
    )

    it("a cross-origin 307 drops the credentials of a POST and keeps its body", () => {
      const request = postWithHeaders()
      const next = expectFollow(decide(request, 307, "https://other.test/c")).request
      deepStrictEqual(Object.keys(next.headers).sort(), ["accept", "content-length", "content-type", "x-api-key"])
      strictEqual(next.body, request.body)
    })

    it("a cross-origin redirect drops the sensitiveHeaders the policy lists, whatever their case", () => {
      const policy = Redirects.make({ sensitiveHeaders: ["X-API-KEY", "x-tenant"] })
      const request = getWithHeaders().pipe(HttpClientRequest.setHeader("X-Tenant", "acme"))
      const next = expectFollow(decide(request, 302, "https://other.test/c", { policy })).request
      strictEqual(next.headers["x-api-key"], undefined)
      strictEqual(next.headers["x-tenant"], undefined)
      strictEqual(next.headers["authorization"], undefined)
      strictEqual(next.headers["accept"], "application/json")
    })

    it.each([
      { kind: "a relative path", location: "/c" },
      { kind: "an absolute url", location: "https://api.test/c" },
      { kind: "the default port spelt out", location: "https://api.test:443/c" },
      { kind: "an upper-case host", location: "https://API.TEST/c" }
    ])("a same-origin redirect ($kind) keeps every header", ({ location }) => {
      const next = expectFollow(decide(getWithHeaders(), 302, location)).request
      deepStrictEqual(next.headers, getWithHeaders().headers)
    })

    it("user-listed sensitive headers are kept on a same-origin redirect", () => {
      const policy = Redirects.make({ sensitiveHeaders: ["x-api-key"] })
      strictEqual(expectFollow(decide(getWithHeaders(), 307, "/c", { policy })).request.headers["x-api-key"], "k3y")
    })
  })

  describe("schemes", () => {
    it("https to http is Blocked as a downgrade", () => {
      deepStrictEqual(decide(getWithHeaders(), 302, "http://api.test/c"), {
        _tag: "Blocked",
        reason: "downgrade",
        location: "http://api.test/c"
      })
    })

    it("https to http is followed with allowDowngrade", () => {
      const policy = Redirects.make({ allowDowngrade: true })
      strictEqual(
        expectFollow(decide(getWithHeaders(), 302, "http://api.test/c", { policy })).url.href,
        "http://api.test/c"
      )
    })

    it("https to http is followed when allow says yes, and allow sees both urls", () => {
      const seen: Array<string> = []
      const policy = Redirects.make({
        allow: (from, to) => {
          seen.push(`${from.href} -> ${to.href}`)
          return to.hostname === "api.test"
        }
      })
      expectFollow(decide(getWithHeaders(), 302, "http://api.test/c", { policy }))
      deepStrictEqual(seen, ["https://api.test/a/b?x=1 -> http://api.test/c"])
      strictEqual(decide(getWithHeaders(), 302, "http://evil.test/c", { policy })._tag, "Blocked")
    })

    it("http to https is followed", () => {
      strictEqual(
        expectFollow(decide(HttpClientRequest.get("http://api.test/a"), 301, "https://api.test/a")).url.href,
        "https://api.test/a"
      )
    })

    it.each([
      { location: "ftp://files.test/x", href: "ftp://files.test/x" },
      { location: "javascript:alert(1)", href: "javascript:alert(1)" },
      { location: "data:text/html,hi", href: "data:text/html,hi" },
      { location: "file:///etc/passwd", href: "file:///etc/passwd" },
      { location: "ws://api.test/socket", href: "ws://api.test/socket" }
    ])("$location is Blocked for its scheme", ({ href, location }) => {
      for (const from of ["https://api.test/a", "http://api.test/a"]) {
        deepStrictEqual(decide(HttpClientRequest.get(from), 302, location), {
          _tag: "Blocked",
          reason: "scheme",
          location: href
        })
      }
    })

    it("allowDowngrade does not let other schemes through", () => {
      const policy = Redirects.make({ allowDowngrade: true })
      strictEqual(decide(getWithHeaders(), 302, "ftp://files.test/x", { policy })._tag, "Blocked")
    })
  })

  describe("locations", () => {
    it.each([
      { location: "/c", href: "https://api.test/c" },
      { location: "c", href: "https://api.test/a/c" },
      { location: "../c?y=2", href: "https://api.test/c?y=2" },
      { location: "?y=2", href: "https://api.test/a/b?y=2" },
      { location: "//other.test/c", href: "https://other.test/c" },
      { location: "https://other.test/c?z=3", href: "https://other.test/c?z=3" }
    ])("$location from https://api.test/a/b?x=1 resolves to $href", ({ href, location }) => {
      const follow = expectFollow(decide(HttpClientRequest.get(FROM), 302, location))
      strictEqual(follow.url.href, href)
      strictEqual(nextUrl(follow), href)
    })

    it("a Location without a fragment inherits the request's fragment", () => {
      const follow = expectFollow(decide(HttpClientRequest.get("https://api.test/a#section"), 302, "/b"))
      strictEqual(follow.url.href, "https://api.test/b#section")
      strictEqual(nextUrl(follow), "https://api.test/b#section")
    })

    it("a Location with its own fragment keeps it", () => {
      const follow = expectFollow(decide(HttpClientRequest.get("https://api.test/a#section"), 302, "/b#other"))
      strictEqual(follow.url.href, "https://api.test/b#other")
    })

    it("query parameters of the old url are not carried over", () => {
      strictEqual(nextUrl(expectFollow(decide(HttpClientRequest.get(FROM), 302, "/c"))), "https://api.test/c")
    })
  })
})
