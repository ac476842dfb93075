/**
 * When redirects stop: the limit and loops, the refusals, the response
 * returned as it is, and the policies and helpers. The rule hop by hop is
 * in Redirects.test.ts.
 */
import { HttpBody, HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Redirects } from "@steadfast/core"
import { Stream } from "effect"
import { ALWAYS_DROPPED, decide, expectFollow, getWithHeaders } from "./helpers/redirects.js"

describe("Redirects", () => {
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
