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

  it("keeps at most 512 combinations by key; past that, a new one is made when it comes back", () => {
    const sets = new LabelSets()
    for (let status = 0; status < 600; status++) sets.get("GET", "http://a.test", status, undefined, "", make)
    expect(sets.size).toBe(512)
    const first = sets.get("GET", "http://a.test", 599, undefined, "", make)
    // the last one asked is still the same array; one not kept is not, once another came between
    expect(sets.get("GET", "http://a.test", 599, undefined, "", make)).toBe(first)
    sets.get("GET", "http://a.test", 1, undefined, "", make)
    expect(sets.get("GET", "http://a.test", 599, undefined, "", make)).not.toBe(first)
    expect(sets.get("GET", "http://a.test", 1, undefined, "", make)).toBe(
      sets.get("GET", "http://a.test", 1, undefined, "", make)
    )
  })
})
