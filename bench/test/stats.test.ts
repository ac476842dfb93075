/**
 * The benchmark's arithmetic (stats.ts): percentiles, the heap slope,
 * medians, ratios, target checks and formatting. No timing.
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, strictEqual } from "@effect/vitest/utils"
import {
  formatInt,
  formatMiB,
  formatMicros,
  formatRatio,
  median,
  meets,
  pairedRatio,
  percentile,
  percentileSorted,
  ratio,
  rotated,
  slope
} from "../src/stats.js"

describe("percentiles", () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1)

  it.each([
    [50, 50],
    [99, 99],
    [100, 100],
    [0, 1],
    [1, 1],
    [99.5, 100]
  ])("nearest rank p%s of 1..100 is %s", (p, expected) => {
    strictEqual(percentileSorted(hundred, p), expected)
  })

  it("works on one value and is NaN on none", () => {
    strictEqual(percentileSorted([7], 50), 7)
    strictEqual(percentileSorted([7], 99), 7)
    assertTrue(Number.isNaN(percentileSorted([], 50)))
  })

  it("sorts numerically, not as strings", () => {
    strictEqual(percentile([10, 9, 100, 1, 2], 50), 9)
    strictEqual(percentile([10, 9, 100, 1, 2], 99), 100)
  })
})

describe("slope", () => {
  it("is the line's slope for points on a line, whatever their order", () => {
    strictEqual(slope([{ x: 2, y: 7 }, { x: 0, y: 1 }, { x: 1, y: 4 }]), 3)
  })

  it("fits the least-squares line through scattered points", () => {
    // y = 2x + 1 with +1, -1, +1, -1 around it: the fit is 2 - 0.4 (the noise correlates with x)
    const points = [0, 1, 2, 3].map((x, i) => ({ x, y: 2 * x + 1 + (i % 2 === 0 ? 1 : -1) }))
    strictEqual(Math.round(slope(points) * 1000) / 1000, 1.6)
  })

  it("is 0 for a flat heap and when x does not move, NaN with no point", () => {
    strictEqual(slope([{ x: 0, y: 5 }, { x: 10, y: 5 }]), 0)
    strictEqual(slope([{ x: 3, y: 1 }, { x: 3, y: 9 }]), 0)
    assertTrue(Number.isNaN(slope([])))
  })
})

describe("median", () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5], 5],
    [[1, NaN, 3], 2],
    [[1, Infinity, 3], 2]
  ])("median(%j) = %s", (xs, expected) => {
    strictEqual(median(xs), expected)
  })

  it("is NaN when nothing is finite", () => {
    assertTrue(Number.isNaN(median([])))
    assertTrue(Number.isNaN(median([NaN])))
  })
})

describe("ratios", () => {
  it("divides, and is NaN without a usable reference", () => {
    strictEqual(ratio(3, 2), 1.5)
    assertTrue(Number.isNaN(ratio(3, 0)))
    assertTrue(Number.isNaN(ratio(NaN, 2)))
  })

  it("takes the median of ratios paired by repetition", () => {
    // repetition 2 was slow for both: pairing cancels it
    strictEqual(pairedRatio([20, 40, 22], [10, 20, 10]), 2)
    // a missing reference repetition is ignored
    strictEqual(pairedRatio([20, 40, 30], [10, 20]), 2)
  })

  it.each([
    [1, "1.00x"],
    [0.0712, "0.07x"],
    [1.234, "1.23x"],
    [12.34, "12.3x"],
    [NaN, "–"]
  ])("formatRatio(%s) = %s", (r, text) => {
    strictEqual(formatRatio(r), text)
  })

  it("says whether a target is met", () => {
    strictEqual(meets(1.9, 2, "at-most"), true)
    strictEqual(meets(2.1, 2, "at-most"), false)
    strictEqual(meets(0.6, 0.6, "at-least"), true)
    strictEqual(meets(NaN, 0.6, "at-least"), undefined)
  })
})

describe("formatting", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [1234, "1,234"],
    [1234567.4, "1,234,567"],
    [-1234, "-1,234"],
    [NaN, "–"]
  ])("formatInt(%s) = %s", (n, text) => {
    strictEqual(formatInt(n), text)
  })

  it.each([
    [4.25, "4.3 µs"],
    [85.4, "85 µs"],
    [1240, "1.24 ms"],
    [12_400, "12.4 ms"],
    [1_200_000, "1.20 s"],
    [NaN, "–"]
  ])("formatMicros(%s) = %s", (us, text) => {
    strictEqual(formatMicros(us), text)
  })

  it("formats MiB, signed on request", () => {
    strictEqual(formatMiB(3 * 1024 * 1024), "3.0 MiB")
    strictEqual(formatMiB(1024 * 1024 / 10, true), "+0.1 MiB")
    strictEqual(formatMiB(-2 * 1024 * 1024, true), "-2.0 MiB")
  })
})

describe("rotated", () => {
  it("starts at the given item and wraps around, so each run puts another client first", () => {
    const clients = ["a", "b", "c"]
    strictEqual([0, 1, 2, 3].map((by) => rotated(clients, by).join("")).join(" "), "abc bca cab abc")
  })
})
