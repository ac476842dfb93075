/**
 * fetch in a browser, the pure parts: what a page can see of a failure whose
 * cause the browser hides (Classify.judgeOpaque), how it is classified, what
 * the decision function does with it, and the rules that pick fetch's
 * redirect mode and tell why a request needs a CORS preflight. The real
 * browser runs them in browser/src/suite.ts.
 */
import { HttpClientRequest } from "#line/http"
import { requestError } from "#line/platformError"
import { describe, expect, it } from "@effect/vitest"
import { Classify, Errors, Redirects, Retry } from "@steadfast/core"
import * as FC from "effect/FastCheck"
import * as browser from "../src/internal/browser.js"
import * as Decide from "../src/internal/decide.js"

const fastCheck = { seed: 20261206, numRuns: 500 }
const url = "https://api.test/orders"

const reported = (facts: Classify.OpaqueFacts) =>
  requestError({
    request: HttpClientRequest.get(url),
    reason: "Transport",
    cause: Object.assign(
      new Error("fetch failed; the browser hides why", { cause: new TypeError("Failed to fetch") }),
      {
        code: Classify.OPAQUE_NETWORK,
        ...facts
      }
    )
  })

const arbFacts: FC.Arbitrary<Classify.OpaqueFacts> = FC.record({
  online: FC.constantFrom(true, false, undefined),
  crossOrigin: FC.boolean(),
  mixedContent: FC.boolean(),
  serverAnswered: FC.constantFrom(true, false, undefined),
  preflight: FC.constantFrom([], ["x-api-key"], ["method PUT", "b3", "traceparent"])
})

const base = {
  online: true,
  crossOrigin: true,
  mixedContent: false,
  serverAnswered: undefined,
  preflight: []
} as const

describe("Classify.judgeOpaque", () => {
  it.each(
    [
      ["offline", { ...base, online: false }, "offline", false],
      ["mixed content", { ...base, mixedContent: true }, "mixed-content", false],
      ["same origin (cannot be CORS)", { ...base, crossOrigin: false }, "unreachable", "unknown"],
      ["cross origin, the server answered the probe, simple request", { ...base, serverAnswered: true }, "cors", true],
      [
        "cross origin, the server answered, preflighted",
        {
          ...base,
          serverAnswered: true,
          preflight: ["x-api-key"]
        },
        "cors",
        "unknown"
      ],
      ["cross origin, no answer to the probe", { ...base, serverAnswered: false }, "unreachable", "unknown"],
      ["cross origin, no probe", base, "unknown", "unknown"]
    ] as const
  )("%s", (_name, facts, likely, requestSent) => {
    expect(Classify.judgeOpaque(facts)).toEqual({ likely, requestSent })
  })

  it("a cause the page saw blocked before sending is never 'may have reached the server'", () => {
    FC.assert(
      FC.property(arbFacts, (facts) => {
        const judged = Classify.judgeOpaque(facts)
        if (judged.likely === "offline" || judged.likely === "mixed-content") return judged.requestSent === false
        return judged.requestSent !== false
      }),
      fastCheck
    )
  })
})

describe("Classify over fetch's hidden failures", () => {
  it("the transport's report becomes TransportError opaque-network with the likely cause and a hint", () => {
    const error = Classify.classify(reported({ ...base, serverAnswered: true, preflight: ["x-api-key"] }), {
      method: "GET",
      url
    })
    expect(error._tag).toBe("TransportError")
    const e = error as Errors.TransportError
    expect([e.reason, e.likely, e.requestSent]).toEqual(["opaque-network", "cors", "unknown"])
    expect(e.message).toContain("Access-Control-Allow-Origin")
    expect(e.message).toContain("preflight because of x-api-key")
  })

  it.each([
    ["Chromium", "Failed to fetch"],
    ["Firefox", "NetworkError when attempting to fetch resource."],
    ["Safari", "Load failed"]
  ])("a bare fetch TypeError (%s) says what it may be and how to tell, requestSent unknown", (_name, message) => {
    const error = Classify.classify(
      requestError({
        request: HttpClientRequest.get(url),
        reason: "Transport",
        cause: new TypeError(message)
      }),
      { method: "GET", url }
    ) as Errors.TransportError
    expect([error._tag, error.reason, error.likely, error.requestSent]).toEqual([
      "TransportError",
      "opaque-network",
      "unknown",
      "unknown"
    ])
    for (const word of ["offline", "DNS", "refused", "reset", "CORS", "mixed content", "network panel"]) {
      expect(error.message).toContain(word)
    }
  })

  it("Node's fetch TypeError with a coded cause is still classified by the code", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 1
    })
    const error = Classify.classify(new TypeError("fetch failed", { cause: refused }), { method: "GET", url })
    expect(error._tag).toBe("ConnectionRefused")
  })

  it("an opaque redirect is RedirectBlocked with reason opaque and a hint", () => {
    const error = Classify.classify(
      Object.assign(new Error("fetch returned an opaque redirect (status 0)"), { code: Classify.OPAQUE_REDIRECT }),
      { method: "GET", url }
    ) as Errors.RedirectBlocked
    expect([error._tag, error.reason]).toEqual(["RedirectBlocked", "opaque"])
    expect(error.message).toContain("redirect: \"manual\"")
  })
})

describe("decide over fetch's hidden failures", () => {
  const policy: Decide.Policy = {
    enabled: true,
    retries: 3,
    retryOn: () => true, // even a policy that retries everything
    retryAfterStatuses: new Set([429, 503]),
    retryAfterMaxMs: 60_000,
    maxElapsedMs: Infinity
  }
  const facts = {
    phase: "written",
    reusedSocket: false,
    bytesWritten: undefined,
    bytesRead: 0,
    proxy: undefined,
    pool: undefined,
    cause: undefined
  } as const
  const request = (safe: boolean): Decide.Request => ({
    safe,
    replayable: true,
    startedAt: 0,
    deadlineAt: Infinity
  })
  const errorOf = (facts: Classify.OpaqueFacts) =>
    Classify.classify(reported(facts), { method: "POST", url }) as Errors.TransportError
  const decideFor = (safe: boolean, error: Errors.HttpError) =>
    Decide.decide(policy, request(safe), [], { error, facts, deadline: false }, 0)

  it("never retries what the browser refused (CORS, mixed content), whatever retryOn says", () => {
    FC.assert(
      FC.property(arbFacts, FC.boolean(), (opaque, safe) => {
        const error = errorOf(opaque)
        const refused = error.likely === "cors" || error.likely === "mixed-content"
        const decision = decideFor(safe, error)
        return refused ? decision._tag === "GiveUp" && decision.reason === "browser-refused" : true
      }),
      fastCheck
    )
  })

  it("an unreachable server: a GET is retried, a POST is not (it may have been sent)", () => {
    const error = errorOf({ ...base, serverAnswered: false })
    expect(decideFor(true, error)._tag).toBe("AskSchedule")
    expect(decideFor(false, error)).toEqual({ _tag: "GiveUp", reason: "not-idempotent" })
  })

  it("offline: even a POST is retried (nothing left the machine)", () => {
    expect(decideFor(false, errorOf({ ...base, online: false }))._tag).toBe("AskSchedule")
  })

  it("the default retry policy agrees: CORS and mixed content are not transient, the rest is", () => {
    const transient = Retry.isTransient()
    FC.assert(
      FC.property(arbFacts, (opaque) => {
        const error = errorOf(opaque)
        return transient(error) === !(error.likely === "cors" || error.likely === "mixed-content")
      }),
      fastCheck
    )
  })

  it("Errors.mayHaveReachedServer: requestSent unknown counts as possibly sent", () => {
    expect(Errors.mayHaveReachedServer(errorOf({ ...base, crossOrigin: false }))).toBe(true)
    expect(Errors.mayHaveReachedServer(errorOf({ ...base, online: false }))).toBe(false)
  })
})

describe("preflight and redirect rules in a page", () => {
  const page = { origin: "http://127.0.0.1:8000", protocol: "http:" }

  it.each(
    [
      ["a plain GET", HttpClientRequest.get(url), false, []],
      ["a form POST", HttpClientRequest.bodyUrlParams(HttpClientRequest.post(url), { a: "1" }), false, []],
      ["a JSON POST", HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(url), {}), false, ["content-type"]],
      ["a PUT with an API key", HttpClientRequest.setHeader(HttpClientRequest.put(url), "x-api-key", "k"), false, [
        "method PUT",
        "x-api-key"
      ]],
      ["a GET with trace propagation", HttpClientRequest.get(url), true, ["b3", "traceparent"]],
      ["Accept is safelisted", HttpClientRequest.setHeader(HttpClientRequest.get(url), "accept", "text/csv"), false, []]
    ] as const
  )("preflight: %s", (_name, request, propagates, reasons) => {
    expect(browser.preflightReasons(request, propagates)).toEqual(reasons)
  })

  const plain = HttpClientRequest.get(url)
  it.each(
    [
      ["defaults, no sensitive header", Redirects.defaults, undefined, plain, "http://x.test/", "follow"],
      [
        "Authorization on the request",
        Redirects.defaults,
        undefined,
        HttpClientRequest.bearerToken(plain, "t"),
        "http://x.test/",
        "manual"
      ],
      [
        "a listed sensitive header",
        Redirects.make({ sensitiveHeaders: ["X-Api-Key"] }),
        undefined,
        HttpClientRequest.setHeader(plain, "x-api-key", "k"),
        "http://x.test/",
        "manual"
      ],
      ["follow: false", Redirects.none, undefined, plain, "http://x.test/", "manual"],
      ["an allow hook", Redirects.make({ allow: () => undefined }), undefined, plain, "http://x.test/", "manual"],
      ["an allowAddress guard", Redirects.defaults, () => true, plain, "http://x.test/", "manual"],
      ["https from an http page (a downgrade could follow)", Redirects.defaults, undefined, plain, url, "manual"],
      [
        "https from an http page, downgrade allowed",
        Redirects.make({ allowDowngrade: true }),
        undefined,
        plain,
        url,
        "follow"
      ]
    ] as const
  )("redirect mode: %s", (_name, policy, allowAddress, request, target, mode) => {
    expect(browser.redirectMode(policy, allowAddress, request, new URL(target), page)).toBe(mode)
  })

  it("https from an https page may follow (an http target is blocked as mixed content)", () => {
    expect(browser.redirectMode(Redirects.defaults, undefined, plain, new URL(url), {
      origin: "https://app.test",
      protocol: "https:"
    })).toBe("follow")
  })

  it.each(
    [
      ["http://api.test/", true],
      ["http://127.0.0.1:9/", false],
      ["http://localhost:9/", false],
      ["https://api.test/", false]
    ] as const
  )("mixed content from an https page: %s", (target, mixed) => {
    expect(browser.isMixedContent({ origin: "https://app.test", protocol: "https:" }, new URL(target))).toBe(mixed)
  })
})
