/**
 * The duration histogram's label sets (internal/labelSets.ts): one array per
 * combination of method, origin, status and error type, the same array each
 * time (the metric caches its hook by it), whichever combination came before.
 */
import { describe, expect, it } from "@effect/vitest"
import * as FC from "effect/FastCheck"
import { LabelSets } from "../src/internal/labelSets.js"

type Combination = readonly [string, string, number | undefined, string | undefined]

const make = (method: string, url: string, status: number | undefined, error: string | undefined) =>
  [method, url, String(status), String(error)] as never

const combination: FC.Arbitrary<Combination> = FC.tuple(
  FC.constantFrom("GET", "POST", "_OTHER"),
  FC.constantFrom("http://a.test", "https://b.test:8443", "http://127.0.0.1:8080"),
  FC.option(FC.constantFrom(200, 404, 503), { nil: undefined }),
  FC.option(FC.constantFrom("ResponseTimeout", "503"), { nil: undefined })
)

describe("LabelSets", () => {
  it("gives each combination one array, the same whatever was asked in between", () => {
    FC.assert(
      FC.property(FC.array(combination, { minLength: 1, maxLength: 60 }), (asked) => {
        const sets = new LabelSets()
        const seen = new Map<string, unknown>()
        let made = 0
        const counting: typeof make = (...args) => {
          made++
          return make(...args)
        }
        for (const [method, origin, status, error] of asked) {
          // a copy of the origin string: equal content, another string, as a new call's origin is
          const labels = sets.get(method, `${origin} `.trimEnd(), status, error, origin, counting)
          expect(labels).toEqual([method, origin, String(status), String(error)])
          const key = `${method} ${origin} ${status} ${error}`
          if (seen.has(key)) expect(labels).toBe(seen.get(key))
          else seen.set(key, labels)
        }
        expect(made).toBe(seen.size)
        expect(sets.size).toBe(seen.size)
      }),
      { seed: 16, numRuns: 200 }
    )
  })

  it("keeps at most 512 combinations; past that, a new one gets a new array each time", () => {
    const sets = new LabelSets()
    const kept = sets.get("GET", "http://a.test", 0, undefined, "", make)
    for (let status = 1; status < 600; status++) sets.get("GET", "http://a.test", status, undefined, "", make)
    expect(sets.size).toBe(512)
    const late = sets.get("GET", "http://a.test", 599, undefined, "", make)
    expect(late).toEqual(["GET", "", "599", "undefined"])
    expect(sets.get("GET", "http://a.test", 599, undefined, "", make)).not.toBe(late)
    expect(sets.get("GET", "http://a.test", 0, undefined, "", make)).toBe(kept)
  })

  it("alternating statuses each get their own set back, made once", () => {
    const sets = new LabelSets()
    let made = 0
    const counting: typeof make = (...args) => {
      made++
      return make(...args)
    }
    const ok = sets.get("GET", "http://a.test", 200, undefined, "", counting)
    const unavailable = sets.get("GET", "http://a.test", 503, "503", "", counting)
    for (let i = 0; i < 10; i++) {
      expect(sets.get("GET", "http://a.test", 200, undefined, "", counting)).toBe(ok)
      expect(sets.get("GET", "http://a.test", 503, "503", "", counting)).toBe(unavailable)
    }
    expect(made).toBe(2)
  })
})
