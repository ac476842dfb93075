/**
 * How every measured sample starts (rewarm.ts): the forced GC, the re-warm
 * of the same client, then the sample; the re-warm's count and its words in
 * the method. Fake clients record what they were asked to run; no timing.
 */
import { describe, it } from "@effect/vitest"
import { assertInclude, assertTrue, deepStrictEqual, strictEqual, throws } from "@effect/vitest/utils"
import type { ClientSpec } from "../src/base.js"
import type { Bound, Sample } from "../src/load.js"
import { measureConcurrency, tablePlan } from "../src/measure.js"
import { describeRewarm, measuredSample, REWARM_REQUESTS, rewarmBound } from "../src/rewarm.js"

const sample = (ok: number): Sample => ({
  ok,
  errors: 0,
  firstError: undefined,
  wallMs: 1,
  cpuUs: ok,
  latenciesUs: new Float64Array(ok)
})

describe("the re-warm's count", () => {
  it("is rewarm.ts's count for a full run, a smaller one for --quick, by count with a time bound only as a safety net", () => {
    strictEqual(rewarmBound(false).maxRequests, REWARM_REQUESTS.full)
    strictEqual(rewarmBound(true).maxRequests, REWARM_REQUESTS.quick)
    assertTrue(REWARM_REQUESTS.quick < REWARM_REQUESTS.full)
    // at c=1 a slow client takes ~1 ms a request: the count must end the re-warm, not the clock
    assertTrue(rewarmBound(false).maxMs >= REWARM_REQUESTS.full)
  })

  it("takes a count given (--rewarm N), 0 included, and refuses one that is not a whole number >= 0", () => {
    strictEqual(rewarmBound(false, 250).maxRequests, 250)
    strictEqual(rewarmBound(true, 0).maxRequests, 0)
    for (const bad of [-1, 1.5, NaN]) throws(() => rewarmBound(false, bad))
  })

  it("reaches the main table's plan", () => {
    deepStrictEqual(tablePlan(false, false).rewarm, rewarmBound(false))
    deepStrictEqual(tablePlan(true, true).rewarm, rewarmBound(true))
    strictEqual(tablePlan(false, false, 0).rewarm.maxRequests, 0)
  })

  it("is described with its count, or as absent", () => {
    assertInclude(describeRewarm(rewarmBound(false)), "then 4,000 requests of the same client on the same path")
    strictEqual(describeRewarm(rewarmBound(false, 0)), "a GC is forced before each run (no re-warm)")
  })
})

describe("a measured sample", () => {
  it("forces a GC, runs the re-warm unmeasured, then the sample, and returns only the sample", async () => {
    const events: Array<string> = []
    const drive = (bound: Bound) => {
      events.push(`drive ${bound.maxRequests}`)
      return Promise.resolve(sample(bound.maxRequests))
    }
    const s = await measuredSample(() => events.push("gc"), { maxRequests: 300, maxMs: 10 }, drive, {
      maxRequests: 6000,
      maxMs: 10
    })
    deepStrictEqual(events, ["gc", "drive 300", "drive 6000"])
    strictEqual(s.ok, 6000)
  })

  it("skips the re-warm of count 0 (the bench as it was)", async () => {
    const events: Array<string> = []
    await measuredSample(() => events.push("gc"), { maxRequests: 0, maxMs: 10 }, (b) => {
      events.push(`drive ${b.maxRequests}`)
      return Promise.resolve(sample(b.maxRequests))
    }, { maxRequests: 5, maxMs: 10 })
    deepStrictEqual(events, ["gc", "drive 5"])
  })

  it("in the main table: every run of every client is its own GC, re-warm and sample, and only samples are figures", async () => {
    const events: Array<string> = []
    const spec = (id: string): ClientSpec => ({
      id,
      name: id,
      tracing: undefined,
      describe: id,
      make: () =>
        Promise.resolve({
          run: (bound) => {
            events.push(`${id} ${bound.maxRequests}`)
            return Promise.resolve(sample(bound.maxRequests))
          },
          close: () => Promise.resolve()
        })
    })
    const plan = {
      repetitions: 2,
      concurrencies: [4],
      bound: () => ({ maxRequests: 50, maxMs: 1000 }),
      warmup: () => ({ maxRequests: 20, maxMs: 1000 }),
      rewarm: { maxRequests: 7, maxMs: 1000 }
    }
    const slots = await measureConcurrency(
      "http://x",
      [spec("a"), spec("b")],
      4,
      plan,
      () => events.push("gc"),
      () => {}
    )
    deepStrictEqual(events, [
      "a 20",
      "b 20",
      ...["gc", "a 7", "a 50", "gc", "b 7", "b 50"],
      ...["gc", "b 7", "b 50", "gc", "a 7", "a 50"]
    ])
    for (const slot of slots) deepStrictEqual(slot.runs.map((r) => r.ok), [50, 50])
  })
})
