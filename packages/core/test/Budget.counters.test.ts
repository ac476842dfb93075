/**
 * The retry budget's arithmetic on its own: exact counts, and a fast-check
 * property with a fixed seed for every sequence of requests and retries.
 * Through a client: Budget.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Budget, Errors } from "@steadfast/core"
import * as FC from "effect/FastCheck"

const origin = "http://api.test"

describe("Budget: the counters", () => {
  it("a new budget allows the floor: 10 retries at once, then none", () => {
    const budget = Budget.make()
    const granted = Array.from({ length: 12 }, () => budget.withdraw(origin, 0))
    expect(granted.filter(Boolean).length).toBe(10)
    expect(granted.slice(10)).toEqual([false, false])
  })

  it("each request adds a fifth of a retry: 100 requests allow 20 retries beyond the floor", () => {
    const budget = Budget.make()
    for (let i = 0; i < 100; i++) budget.request(origin, 0)
    expect(budget.available(origin, 0)).toBe(30)
    let granted = 0
    while (budget.withdraw(origin, 0)) granted++
    expect(granted).toBe(30)
  })

  it("the floor refills at 10 per second, never above 10", () => {
    const budget = Budget.make()
    while (budget.withdraw(origin, 0)) { /* spend the floor */ }
    expect(budget.available(origin, 99)).toBe(0)
    expect(budget.available(origin, 100)).toBe(1)
    expect(budget.available(origin, 550)).toBe(5)
    expect(budget.available(origin, 60_000)).toBe(10)
  })

  it("requests older than the window no longer count", () => {
    const budget = Budget.make({ minPerSecond: 0 })
    for (let i = 0; i < 50; i++) budget.request(origin, 0)
    expect(budget.available(origin, 9_999)).toBe(10)
    expect(budget.available(origin, 10_000)).toBe(0)
  })

  it("origins have their own accounts", () => {
    const budget = Budget.make({ minPerSecond: 0 })
    for (let i = 0; i < 5; i++) budget.request("http://a.test", 0)
    expect(budget.withdraw("http://b.test", 0)).toBe(false)
    expect(budget.withdraw("http://a.test", 0)).toBe(true)
  })

  it("invalid options are InvalidOptions naming the option", () => {
    expect(Budget.validate({ ratio: 1.5 })?.option).toBe("budget.ratio")
    expect(Budget.validate({ minPerSecond: -1 })?.option).toBe("budget.minPerSecond")
    expect(Budget.validate({ window: "1 milli" })?.option).toBe("budget.window")
    expect(() => Budget.make({ ratio: Number.NaN })).toThrow(Errors.InvalidOptions)
    expect(Budget.validate({ ratio: 0, minPerSecond: 0, window: "1 minute" })).toBeUndefined()
  })

  it("for every sequence of requests and retries: granted ≤ ratio × requests + floor × (seconds + 1)", () => {
    const event = FC.record({
      gapMs: FC.integer({ min: 0, max: 3_000 }),
      kind: FC.constantFrom("request", "retry"),
      count: FC.integer({ min: 1, max: 30 })
    })
    FC.assert(
      FC.property(
        FC.double({ min: 0, max: 1, noNaN: true }),
        FC.integer({ min: 0, max: 20 }),
        FC.integer({ min: 100, max: 20_000 }),
        FC.array(event, { maxLength: 60 }),
        (ratio, minPerSecond, windowMs, events) => {
          const budget = Budget.make({ ratio, minPerSecond, window: windowMs })
          let now = 0
          let requests = 0
          let granted = 0
          for (const e of events) {
            now += e.gapMs
            for (let i = 0; i < e.count; i++) {
              if (e.kind === "request") {
                budget.request(origin, now)
                requests++
              } else if (budget.withdraw(origin, now)) granted++
            }
          }
          const ratioUnits = Math.round(ratio * 1000)
          return granted <= Math.floor((ratioUnits * requests) / 1000) + minPerSecond * (now / 1000 + 1)
        }
      ),
      { seed: 20261206, numRuns: 2000 }
    )
  })
})
