/**
 * The pure rules of what a client learns from a server's rate-limit headers
 * (internal/learned.ts), driven by fast-check with a fixed seed.
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, strictEqual } from "@effect/vitest/utils"
import * as fc from "effect/FastCheck"
import * as Learned from "../src/internal/learned.js"
import type { Observation } from "../src/RateLimitHeaders.js"

const seeded = { fastCheck: { seed: 4242, numRuns: 300 } }

const seen = (o: Partial<Observation>): Observation => ({
  remaining: undefined,
  resetMs: undefined,
  limit: undefined,
  windowMs: undefined,
  retryAfterMs: undefined,
  source: undefined,
  ...o
})

/** Admits at `now` until refused; returns how many went and the wait of the refusal. */
const drain = (state: Learned.Learned | undefined, now: number, max = 10_000) => {
  let went = 0
  let s = state
  for (; went < max; went++) {
    const r = Learned.admit(s, now)
    if (r.wait > 0) return { went, wait: r.wait, state: s }
    s = r.state
  }
  return { went, wait: 0, state: s }
}

describe("RateLimit: learned from the server", () => {
  it("nothing learned: every request goes", () => {
    strictEqual(drain(undefined, 0, 50).went, 50)
  })

  it.prop(
    "after `remaining` r and reset t, exactly r requests go before the reset, then they wait for it",
    [fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 0, max: 1e12 })],
    ([r, t, now]) => {
      const state = Learned.observe(undefined, seen({ remaining: r, resetMs: t * 1000 }), now)
      const { wait, went } = drain(state, now)
      strictEqual(went, r)
      strictEqual(wait, t * 1000)
    },
    seeded
  )

  it.prop(
    "once the reset has passed, requests go again",
    [fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 1e6 })],
    ([t, now, later]) => {
      const state = Learned.observe(undefined, seen({ remaining: 0, resetMs: t * 1000 }), now)
      strictEqual(Learned.admit(state, now + t * 1000 + later).wait, 0)
    },
    seeded
  )

  it.prop(
    "Retry-After d: nothing goes before now + d, and it wins over the response's other fields",
    [fc.integer({ min: 1, max: 600_000 }), fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 100 })],
    ([d, now, r]) => {
      const state = Learned.observe(undefined, seen({ retryAfterMs: d, remaining: r, resetMs: 1 }), now)
      strictEqual(Learned.admit(state, now).wait, d)
      strictEqual(Learned.admit(state, now + d - 1).wait, 1)
      strictEqual(Learned.admit(state, now + d).wait, 0)
    },
    seeded
  )

  it.prop(
    "within one window the lower count wins, whatever the order the responses arrive in",
    [fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 1e12 })],
    ([counts, now]) => {
      let state: Learned.Learned | undefined
      counts.forEach((r, i) => {
        // the same window: resets within the second that delta-seconds round to
        state = Learned.observe(state, seen({ remaining: r, resetMs: 30_000 - (i % 2) * 500 }), now + i)
      })
      strictEqual(drain(state, now + counts.length).went, Math.min(...counts))
    },
    seeded
  )

  it("a later window replaces the count of the one before", () => {
    let state = Learned.observe(undefined, seen({ remaining: 0, resetMs: 10_000 }), 0)
    state = Learned.observe(state, seen({ remaining: 50, resetMs: 60_000 }), 11_000)
    strictEqual(drain(state, 11_000).went, 50)
  })

  it("remaining without a reset says nothing usable", () => {
    strictEqual(Learned.observe(undefined, seen({ remaining: 0 }), 0), undefined)
  })

  it("remaining 0 without a reset waits the policy's window", () => {
    const state = Learned.observe(undefined, seen({ remaining: 0, windowMs: 5_000 }), 100)
    strictEqual(Learned.admit(state, 100).wait, 5_000)
  })

  it.prop(
    "isLive is false once nothing learned applies any more",
    [fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 0, max: 1e12 })],
    ([r, t, now]) => {
      const state = Learned.observe(undefined, seen({ remaining: r, resetMs: t * 1000 }), now)!
      assertTrue(Learned.isLive(state, now))
      strictEqual(Learned.isLive(state, now + t * 1000), false)
    },
    seeded
  )
})
