import { HttpBody, HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Redirects } from "@steadfast/core"
import { Option, Stream } from "effect"

const FROM = "https://api.test/a/b?x=1"

/** A POST with a JSON body and every kind of header, credentials given in mixed case. */
const postWithHeaders = (url: string = FROM) =>
  HttpClientRequest.post(url).pipe(
    HttpClientRequest.bodyText("{\"a\":1}", "application/json"),
    HttpClientRequest.setHeader("AuThOrIzAtIoN", "Bearer s3cr3t"),
    HttpClientRequest.setHeader("COOKIE", "sid=1"),
    HttpClientRequest.setHeader("Proxy-Authorization", "Basic dTpw"),
    HttpClientRequest.setHeader("X-Api-Key", "k3y"),
    HttpClientRequest.setHeader("Accept", "application/json")
  )

const getWithHeaders = (url: string = FROM) =>
  HttpClientRequest.get(url).pipe(
    HttpClientRequest.setHeader("AuThOrIzAtIoN", "Bearer s3cr3t"),
    HttpClientRequest.setHeader("COOKIE", "sid=1"),
    HttpClientRequest.setHeader("Proxy-Authorization", "Basic dTpw"),
    HttpClientRequest.setHeader("X-Api-Key", "k3y"),
    HttpClientRequest.setHeader("Accept", "application/json")
  )

const decide = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  location: string | undefined,
  options: {
    readonly policy?: Redirects.Policy
    readonly from?: string
    readonly visited?: ReadonlyArray<string>
    readonly followed?: number
  } = {}
): Redirects.Decision =>
  Redirects.decide(
    options.policy ?? Redirects.defaults,
    request,
    new URL(options.from ?? request.url),
    status,
    location,
    options.visited ?? [],
    options.followed ?? 0
  )

type Follow = Extract<Redirects.Decision, { readonly _tag: "Follow" }>

const expectFollow = (decision: Redirects.Decision): Follow => {
  strictEqual(decision._tag, "Follow")
  if (decision._tag !== "Follow") throw new Error("unreachable")
  return decision
}

/** The full url the next request goes to, query and fragment included. */
const nextUrl = (follow: Follow): string => Option.getOrThrow(HttpClientRequest.toUrl(follow.request)).href

const ALWAYS_DROPPED = ["authorization", "cookie", "proxy-authorization"]

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

  describe("limits and loops", () => {
    it.each([
      { policy: "defaults (max 10)", max: 10, p: Redirects.defaults },
      { policy: "max 2", max: 2, p: Redirects.make({ max: 2 }) },
      { policy: "max 0", max: 0, p: Redirects.make({ max: 0 }) }
    ])("$policy: TooMany once followed reaches max, Follow just below", ({ max, p }) => {
      deepStrictEqual(decide(getWithHeaders(), 302, "/c", { policy: p, followed: max }), {
        _tag: "TooMany",
        loop: false
      })
      deepStrictEqual(decide(getWithHeaders(), 302, "/c", { policy: p, followed: max + 1 }), {
        _tag: "TooMany",
        loop: false
      })
      if (max > 0) expectFollow(decide(getWithHeaders(), 302, "/c", { policy: p, followed: max - 1 }))
    })

    it("a redirect back to a visited METHOD and url is a loop", () => {
      const visited = ["GET https://api.test/a", "GET https://api.test/b"]
      deepStrictEqual(
        decide(HttpClientRequest.get("https://api.test/b"), 302, "/a", { visited, followed: 1 }),
        { _tag: "TooMany", loop: true }
      )
    })

    it("a redirect to itself is a loop", () => {
      deepStrictEqual(
        decide(HttpClientRequest.get("https://api.test/a"), 307, "/a", { visited: ["GET https://api.test/a"] }),
        { _tag: "TooMany", loop: true }
      )
    })

    it("the same url with another method is not a loop (POST, then 303 to itself as GET)", () => {
      const visited = ["POST https://api.test/a"]
      const follow = expectFollow(decide(HttpClientRequest.post("https://api.test/a"), 303, "/a", { visited }))
      strictEqual(follow.request.method, "GET")
    })

    it("the same path with another query is not a loop", () => {
      expectFollow(decide(HttpClientRequest.get("https://api.test/a"), 302, "/a?page=2", {
        visited: ["GET https://api.test/a"]
      }))
    })
  })

  describe("refusals (issue 18)", () => {
    it("a Location that is not a url is blocked, not returned as a success", () => {
      deepStrictEqual(decide(getWithHeaders(), 302, "http://[::1"), {
        _tag: "Blocked",
        reason: "invalid-location",
        location: "http://[::1"
      })
    })

    it("allow returning false refuses a redirect the rules would follow", () => {
      const seen: Array<string> = []
      const policy = Redirects.make({
        allow: (_from, to) => {
          seen.push(to.href)
          return false
        }
      })
      const decision = Redirects.decide(policy, getWithHeaders(), new URL("https://api.test/a"), 302, "/b", [], 0)
      deepStrictEqual(decision, { _tag: "Blocked", reason: "policy", location: "https://api.test/b" })
      deepStrictEqual(seen, ["https://api.test/b"])
    })

    it("allow returning undefined leaves it to the rules", () => {
      const policy = Redirects.make({ allow: () => undefined })
      const from = new URL("https://api.test/a")
      strictEqual(Redirects.decide(policy, getWithHeaders(), from, 302, "/b", [], 0)._tag, "Follow")
      strictEqual(Redirects.decide(policy, getWithHeaders(), from, 302, "http://api.test/b", [], 0)._tag, "Blocked")
    })
  })

  describe("when the response is returned as it is", () => {
    it.each([
      { why: "no Location", status: 302, location: undefined },
      { why: "an empty Location", status: 302, location: "" },
      { why: "status 200", status: 200, location: "/c" },
      { why: "status 300", status: 300, location: "/c" },
      { why: "status 304", status: 304, location: "/c" },
      { why: "status 305", status: 305, location: "/c" },
      { why: "status 306", status: 306, location: "/c" },
      { why: "status 404", status: 404, location: "/c" }
    ])("$why", ({ location, status }) => {
      deepStrictEqual(decide(getWithHeaders(), status, location), { _tag: "Return" })
    })

    it.each([301, 302, 303, 307, 308])("follow: false returns %i", (status) => {
      deepStrictEqual(decide(getWithHeaders(), status, "/c", { policy: Redirects.none }), { _tag: "Return" })
      deepStrictEqual(decide(getWithHeaders(), status, "/c", { policy: Redirects.make({ follow: false }) }), {
        _tag: "Return"
      })
    })
  })

  describe("policies and helpers", () => {
    it("make: the defaults", () => {
      const p = Redirects.make()
      assertTrue(p.follow)
      strictEqual(p.max, 10)
      assertFalse(p.allowDowngrade)
      deepStrictEqual([...p.sensitiveHeaders], ALWAYS_DROPPED)
      strictEqual(p.allow, undefined)
    })

    it("make: listed sensitive headers are lower-cased and added to the three", () => {
      deepStrictEqual([...Redirects.make({ sensitiveHeaders: ["X-Api-Key"] }).sensitiveHeaders], [
        ...ALWAYS_DROPPED,
        "x-api-key"
      ])
    })

    it.each([
      { status: 301, redirect: true },
      { status: 302, redirect: true },
      { status: 303, redirect: true },
      { status: 307, redirect: true },
      { status: 308, redirect: true },
      { status: 300, redirect: false },
      { status: 304, redirect: false },
      { status: 305, redirect: false },
      { status: 306, redirect: false },
      { status: 200, redirect: false },
      { status: 400, redirect: false }
    ])("isRedirect($status) is $redirect", ({ redirect, status }) => {
      strictEqual(Redirects.isRedirect(status), redirect)
    })

    it.each([
      { body: "Empty", value: HttpBody.empty, replayable: true },
      { body: "Uint8Array", value: HttpBody.uint8Array(new Uint8Array([1])), replayable: true },
      { body: "text", value: HttpBody.text("x"), replayable: true },
      { body: "FormData", value: HttpBody.formData(new FormData()), replayable: true },
      { body: "Raw string", value: HttpBody.raw("x"), replayable: true },
      { body: "Raw Uint8Array", value: HttpBody.raw(new Uint8Array([1])), replayable: true },
      { body: "Raw other (a Node stream, say)", value: HttpBody.raw({ pipe: () => {} }), replayable: false },
      { body: "Stream", value: HttpBody.stream(Stream.make(new Uint8Array([1]))), replayable: false }
    ])("isReplayable($body) is $replayable", ({ replayable, value }) => {
      strictEqual(Redirects.isReplayable(value), replayable)
    })
  })
})
