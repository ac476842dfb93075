import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { RateLimitHeaders } from "@steadfast/core"
import * as fc from "effect/FastCheck"

// Sunday, 15 June 2025, 12:00:00 GMT
const NOW = Date.UTC(2025, 5, 15, 12, 0, 0)
const NOW_S = NOW / 1000
const seeded = { fastCheck: { seed: 1207, numRuns: 300 } }

describe("RateLimitHeaders", () => {
  describe("parsePolicies (RateLimit-Policy)", () => {
    it.each([
      {
        value: "\"default\";q=100;w=60",
        policies: [{ name: "default", quota: 100, windowSeconds: 60, unit: "request" }]
      },
      {
        value: "\"permin\";q=50;w=60, \"perhr\";q=1000;w=3600",
        policies: [
          { name: "permin", quota: 50, windowSeconds: 60, unit: "request" },
          { name: "perhr", quota: 1000, windowSeconds: 3600, unit: "request" }
        ]
      },
      {
        value: "\"bytes\";q=65536;qu=\"content-bytes\";w=10;pk=:cHsxMjM0NTY3ODk=:",
        policies: [{ name: "bytes", quota: 65536, windowSeconds: 10, unit: "content-bytes" }]
      },
      { value: "default;q=10", policies: [{ name: "default", quota: 10, windowSeconds: undefined, unit: "request" }] },
      { value: "\"a\";w=60, \"b\";q=5", policies: [{ name: "b", quota: 5, windowSeconds: undefined, unit: "request" }] }
    ])("$value", ({ policies, value }) => {
      deepStrictEqual(RateLimitHeaders.parsePolicies(value), policies)
    })

    it.each([
      "\"default\";q=100;w=60,",
      "\"default\";q=100;w=",
      "\"default;q=100",
      "\"default\";Q=100",
      "limit=100, remaining=50",
      "\"default\";q=100 \"other\";q=1"
    ])("a malformed field is ignored whole: %s", (value) => {
      deepStrictEqual(RateLimitHeaders.parsePolicies(value), [])
    })

    it.each([
      { what: "negative", value: "\"d\";q=-1" },
      { what: "decimal", value: "\"d\";q=1.5" },
      { what: "a string", value: "\"d\";q=\"100\"" }
    ])("an item whose q is $what is skipped", ({ value }) => {
      deepStrictEqual(RateLimitHeaders.parsePolicies(value), [])
    })
  })

  describe("parseLimits (RateLimit)", () => {
    it.each([
      { value: "\"default\";r=50;t=30", limits: [{ name: "default", remaining: 50, resetSeconds: 30 }] },
      { value: "\"default\";r=0", limits: [{ name: "default", remaining: 0, resetSeconds: undefined }] },
      {
        value: "\"permin\";r=20;t=23, \"perhr\";r=399;t=2402",
        limits: [
          { name: "permin", remaining: 20, resetSeconds: 23 },
          { name: "perhr", remaining: 399, resetSeconds: 2402 }
        ]
      },
      { value: "  \"d\";r=1;t=7  ", limits: [{ name: "d", remaining: 1, resetSeconds: 7 }] }
    ])("$value", ({ limits, value }) => {
      deepStrictEqual(RateLimitHeaders.parseLimits(value), limits)
    })

    it("the draft-07 dictionary form is not a list and is ignored", () => {
      deepStrictEqual(RateLimitHeaders.parseLimits("limit=100, remaining=50, reset=5"), [])
    })
  })

  describe("resetDelayMs: Unix time or delta-seconds, by magnitude against now", () => {
    it.each([
      { what: "delta-seconds", value: 30, ms: 30_000 },
      { what: "a day of delta-seconds", value: 86_400, ms: 86_400_000 },
      { what: "GitHub's epoch seconds, a minute ahead", value: NOW_S + 60, ms: 60_000 },
      { what: "epoch seconds just passed", value: NOW_S - 5, ms: 0 },
      { what: "epoch milliseconds", value: NOW + 1_500, ms: 1_500 },
      { what: "fractional epoch seconds (Discord)", value: NOW_S + 0.25, ms: 250 }
    ])("$what", ({ ms, value }) => {
      strictEqual(RateLimitHeaders.resetDelayMs(value, NOW), ms)
    })

    it("under a virtual clock that starts at 0, small values stay delta-seconds", () => {
      strictEqual(RateLimitHeaders.resetDelayMs(60, 5_000), 60_000)
    })

    it.prop(
      "a delay below a year is read as a delay, whatever the date (2001-2090)",
      [fc.integer({ min: 0, max: 365 * 86_400 }), fc.integer({ min: 1_000_000_000_000, max: 3_800_000_000_000 })],
      ([delta, now]) => {
        strictEqual(RateLimitHeaders.resetDelayMs(delta, now), delta * 1000)
      },
      seeded
    )

    it.prop(
      "a Unix time in seconds up to a year ahead gives the time left",
      [fc.integer({ min: 0, max: 365 * 86_400 }), fc.integer({ min: 1_000_000_000, max: 3_800_000_000 })],
      ([delta, nowS]) => {
        strictEqual(RateLimitHeaders.resetDelayMs(nowS + delta, nowS * 1000), delta * 1000)
      },
      seeded
    )

    it.prop(
      "a Unix time in milliseconds up to a year ahead gives the time left",
      [fc.integer({ min: 0, max: 365 * 86_400_000 }), fc.integer({ min: 1_000_000_000_000, max: 3_800_000_000_000 })],
      ([delta, now]) => {
        strictEqual(RateLimitHeaders.resetDelayMs(now + delta, now), delta)
      },
      seeded
    )

    it.prop(
      "a Unix time in the past gives 0",
      [fc.integer({ min: 1, max: 10 * 365 * 86_400 }), fc.integer({ min: 1_400_000_000, max: 3_800_000_000 })],
      ([ago, nowS]) => {
        strictEqual(RateLimitHeaders.resetDelayMs(nowS - ago, nowS * 1000), 0)
      },
      seeded
    )
  })

  describe("read", () => {
    it("the IETF fields: remaining, reset, and the policy's quota and window", () => {
      deepStrictEqual(
        RateLimitHeaders.read(
          200,
          { "ratelimit-policy": "\"default\";q=100;w=60", ratelimit: "\"default\";r=0;t=30" },
          NOW
        ),
        { remaining: 0, resetMs: 30_000, limit: 100, windowMs: 60_000, retryAfterMs: undefined, source: "RateLimit" }
      )
    })

    it("with several policies, the one with the fewest remaining counts", () => {
      const seen = RateLimitHeaders.read(200, { ratelimit: "\"perhr\";r=399;t=2402, \"permin\";r=2;t=23" }, NOW)
      strictEqual(seen?.remaining, 2)
      strictEqual(seen?.resetMs, 23_000)
    })

    it("a RateLimit item without t takes the window of its policy", () => {
      const seen = RateLimitHeaders.read(
        200,
        { ratelimit: "\"d\";r=0", "ratelimit-policy": "\"d\";q=10;w=5" },
        NOW
      )
      strictEqual(seen?.resetMs, 5_000)
    })

    it("the earlier drafts' RateLimit-Remaining / -Reset (delta-seconds)", () => {
      deepStrictEqual(
        RateLimitHeaders.read(
          200,
          { "ratelimit-limit": "100", "ratelimit-remaining": "7", "ratelimit-reset": "12" },
          NOW
        ),
        {
          remaining: 7,
          resetMs: 12_000,
          limit: 100,
          windowMs: undefined,
          retryAfterMs: undefined,
          source: "RateLimit-Remaining"
        }
      )
    })

    it("GitHub's X-RateLimit-* with an epoch reset", () => {
      deepStrictEqual(
        RateLimitHeaders.read(
          403,
          { "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW_S + 600) },
          NOW
        ),
        {
          remaining: 0,
          resetMs: 600_000,
          limit: 5000,
          windowMs: undefined,
          retryAfterMs: undefined,
          source: "X-RateLimit"
        }
      )
    })

    it("the IETF field wins over the others", () => {
      strictEqual(
        RateLimitHeaders.read(200, { ratelimit: "\"d\";r=3;t=1", "x-ratelimit-remaining": "0" }, NOW)?.source,
        "RateLimit"
      )
    })

    it.each([429, 503])("Retry-After on %d", (status) => {
      strictEqual(RateLimitHeaders.read(status, { "retry-after": "5" }, NOW)?.retryAfterMs, 5_000)
    })

    it.each([200, 301, 500])("Retry-After on %d is not a rate limit", (status) => {
      strictEqual(RateLimitHeaders.read(status, { "retry-after": "5" }, NOW), undefined)
    })

    it("nothing to learn", () => {
      strictEqual(RateLimitHeaders.read(200, { "content-type": "text/plain" }, NOW), undefined)
      strictEqual(RateLimitHeaders.read(200, { ratelimit: "garbage;;" }, NOW), undefined)
    })

    it.prop(
      "never throws, and every number it returns is finite and non-negative",
      [
        fc.record({
          ratelimit: fc.option(fc.string(), { nil: undefined }),
          "ratelimit-policy": fc.option(fc.string(), { nil: undefined }),
          "x-ratelimit-remaining": fc.option(fc.string(), { nil: undefined }),
          "x-ratelimit-reset": fc.option(fc.string(), { nil: undefined }),
          "retry-after": fc.option(fc.string(), { nil: undefined })
        }),
        fc.constantFrom(200, 429, 503)
      ],
      ([headers, status]) => {
        const seen = RateLimitHeaders.read(status, headers, NOW)
        if (seen === undefined) return
        for (const n of [seen.remaining, seen.resetMs, seen.limit, seen.windowMs, seen.retryAfterMs]) {
          if (n !== undefined && !(Number.isFinite(n) && n >= 0)) {
            throw new Error(`bad number ${n} in ${JSON.stringify(seen)}`)
          }
        }
      },
      seeded
    )

    it.prop(
      "a well-formed RateLimit field is read back exactly",
      [
        fc.array(
          fc.record({
            name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/),
            r: fc.integer({ min: 0, max: 1_000_000 }),
            t: fc.integer({ min: 0, max: 86_400 })
          }),
          { minLength: 1, maxLength: 4 }
        )
      ],
      ([items]) => {
        const value = items.map((i) => `"${i.name}";r=${i.r};t=${i.t}`).join(", ")
        deepStrictEqual(
          RateLimitHeaders.parseLimits(value),
          items.map((i) => ({ name: i.name, remaining: i.r, resetSeconds: i.t }))
        )
        const seen = RateLimitHeaders.read(200, { ratelimit: value }, NOW)!
        strictEqual(seen.remaining, Math.min(...items.map((i) => i.r)))
      },
      seeded
    )
  })
})
