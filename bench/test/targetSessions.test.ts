/**
 * The targets decided over sessions (stats.ts `spread`, targetSpread.ts,
 * targetSessions.ts `sessionGroups`): the median, spread and verdict
 * arithmetic as fast-check properties (fixed seed), the rendering, and
 * which clients a session runs. No timing.
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as fc from "effect/FastCheck"
import { clients } from "../src/clients.js"
import {
  renderMarkdown,
  renderTargetSessions,
  type Report,
  type Row,
  spreadTargets,
  targets,
  type TargetSessions
} from "../src/report.js"
import { median, meets, spread } from "../src/stats.js"
import { sessionGroups } from "../src/targetSessions.js"

const SEED = 16_2026

const ratios = (over: Partial<Record<"rps" | "p50" | "p99" | "cpu", number>>) => ({
  rps: NaN,
  p50: NaN,
  p99: NaN,
  cpu: NaN,
  ...over
})

const row = (
  id: string,
  concurrency: number,
  ratio: ReturnType<typeof ratios>,
  floor?: ReturnType<typeof ratios>
): Row => ({
  client: { id, name: id, tracing: "off", describe: id },
  concurrency,
  summary: { rps: 1, p50Us: 1, p99Us: 1, cpuUsPerRequest: 1, ratio, requests: 1, errors: 0 },
  floor,
  firstError: undefined
})

/** The rows of one session whose target ratios are `values`, in the order of `targets`. */
const session = (values: readonly [number, number, number, number]): ReadonlyArray<Row> => [
  row("steadfast-default-each", 64, ratios({}), ratios({ cpu: values[0], rps: values[1] })),
  row("steadfast-traced-each", 64, ratios({}), ratios({ cpu: values[2] })),
  row("steadfast-default", 1, ratios({ p50: values[3] }))
]

const value = fc.double({ min: 0.5, max: 2.5, noNaN: true })
const maybe = fc.oneof({ weight: 5, arbitrary: value }, { weight: 1, arbitrary: fc.constant(NaN) })

describe("spread (fast-check, fixed seed)", () => {
  it.prop("median, min and max of the finite values, whatever their order; NaN values ignored", [
    fc.array(maybe, { maxLength: 12 })
  ], ([values]) => {
    const s = spread(values)
    const finite = values.filter(Number.isFinite)
    strictEqual(s.count, finite.length)
    if (finite.length === 0) {
      assertTrue(Number.isNaN(s.median) && Number.isNaN(s.min) && Number.isNaN(s.max))
      return
    }
    strictEqual(s.min, Math.min(...finite))
    strictEqual(s.max, Math.max(...finite))
    strictEqual(s.median, median(finite))
    assertTrue(s.min <= s.median && s.median <= s.max)
    deepStrictEqual(spread([...values].reverse()), s)
  }, { fastCheck: { seed: SEED, numRuns: 500 } })

  it("takes the middle value, or the mean of the two middle ones", () => {
    deepStrictEqual(spread([1.29, 1.04, 1.21]), { median: 1.21, min: 1.04, max: 1.29, count: 3 })
    deepStrictEqual(spread([4, 1, NaN, 3, 2]), { median: 2.5, min: 1, max: 4, count: 4 })
  })
})

describe("targets over sessions (fast-check, fixed seed)", () => {
  const sessions = fc.array(fc.tuple(maybe, maybe, maybe, maybe), { minLength: 1, maxLength: 9 })

  it.prop(
    "each target: its sessions' values in order, their spread, met by the median alone",
    [sessions],
    ([values]) => {
      const results = spreadTargets(values.map(session))
      strictEqual(results.length, targets.length)
      results.forEach((r, i) => {
        const mine = values.map((v) => v[i]!)
        strictEqual(r.target, targets[i])
        deepStrictEqual(r.sessions, mine)
        deepStrictEqual({ median: r.median, min: r.min, max: r.max, count: r.count }, spread(mine))
        strictEqual(r.met, meets(median(mine), r.target.target, r.target.direction))
        strictEqual(r.sessionsMet, mine.filter((v) => meets(v, r.target.target, r.target.direction) === true).length)
      })
    },
    { fastCheck: { seed: SEED, numRuns: 300 } }
  )

  it("decides by the median where single sessions fall on both sides of the line", () => {
    // the nine quiet runs of the same code in bench/PROFILES.md ("How far one run decides the targets")
    const runs: ReadonlyArray<readonly [number, number, number, number]> = [
      [1.06, 0.92, 1.55, 1.14],
      [1.29, 0.82, 1.92, 1.25],
      [1.21, 0.87, 1.92, 1.23],
      [1.04, 1.03, 1.37, 1.20],
      [1.19, 0.88, 1.61, 1.16],
      [1.22, 0.85, 1.88, 1.23],
      [1.15, 0.93, 1.43, 1.30],
      [1.14, 0.95, 1.86, 1.32],
      [1.17, 0.89, 1.45, 1.22]
    ]
    const results = spreadTargets(runs.map(session))
    deepStrictEqual(
      results.map((r) => [r.median, r.min, r.max, r.met, r.sessionsMet]),
      [
        [1.17, 1.04, 1.29, false, 4],
        [0.89, 0.82, 1.03, false, 4],
        [1.61, 1.37, 1.92, false, 3],
        [1.23, 1.14, 1.32, false, 3]
      ]
    )
  })

  it("leaves out a session that did not measure a target, and says so when none did", () => {
    const [cpu] = spreadTargets([session([1, 1, 1, 1]), [], session([1.5, 1, 1, 1])])
    strictEqual(cpu!.count, 2)
    strictEqual(cpu!.median, 1.25)
    assertTrue(Number.isNaN(cpu!.sessions[1]!))
    const none = spreadTargets([[], []])
    assertTrue(none.every((r) => r.met === undefined && r.count === 0 && r.sessionsMet === 0))
  })
})

const figures: TargetSessions = {
  sessions: 3,
  repetitions: 2,
  clients: [{ concurrency: 1, names: ["undici", "steadfast default"] }, { concurrency: 64, names: ["floor", "sf"] }],
  results: spreadTargets([
    session([1.04, 0.95, 1.6, 1.1]),
    session([1.29, 0.85, 1.4, 1.2]),
    session([1.12, 0.92, 1.7, NaN])
  ])
}

describe("rendering the targets of a run's sessions", () => {
  it("prints per target its line, median, min–max, every session and the verdict of the median", () => {
    const md = renderTargetSessions(figures)
    assertInclude(md, "Decided by the median of 3 sessions in this run")
    assertInclude(md, "c=1: undici, steadfast default; c=64: floor, sf")
    assertInclude(md, "2 repetitions")
    assertInclude(
      md,
      "| steadfast default policy, tracing off, fiber/request: CPU/request at c=64, x the Effect floor | ≤ 1.15x | " +
        "**1.12x** | 1.04x–1.29x | 1.04x 1.29x 1.12x | 2 of 3 | **meets** |"
    )
    assertInclude(md, "| ≥ 0.9x | **0.92x** | 0.85x–0.95x | 0.95x 0.85x 0.92x | 2 of 3 | **meets** |")
    assertInclude(md, "| ≤ 1.5x | **1.60x** | 1.40x–1.70x | 1.60x 1.40x 1.70x | 1 of 3 | **misses** |")
    assertInclude(
      md,
      "p50 latency at c=1, x raw undici | ≤ 1.2x | **1.15x** | 1.10x–1.20x | 1.10x 1.20x – | 2 of 3 | **meets** |"
    )
  })

  it("says a target no session measured is not measured", () => {
    const md = renderTargetSessions({ ...figures, sessions: 1, repetitions: 1, results: spreadTargets([[]]) })
    assertInclude(md, "median of 1 session in this run")
    assertInclude(md, "1 repetition;")
    assertInclude(md, "| **–** | – | – | 0 of 1 | **not measured** |")
  })

  it("RESULTS.md shows the sessions' decision when they ran, else the main table's one run, said to decide nothing", () => {
    const base: Report = {
      date: "2026-01-02T03:04:05.000Z",
      commit: "abc1234",
      node: "v20.20.2",
      machine: { cpu: "Test CPU", cores: 2, memory: "4.0 GiB RAM", os: "Linux" },
      versions: {},
      server: { description: "nginx", note: undefined },
      steadfastPath: "node",
      method: { repetitions: 1, concurrencies: [64], bounds: [], warmup: "10 requests", rewarm: 0, quick: false },
      clients: [],
      rows: [...session([1.1, 1, 1, 1])],
      retry: undefined,
      heap: undefined,
      simulated: [],
      durationSeconds: 1
    }
    const withSessions = renderMarkdown({ ...base, targets: figures })
    assertInclude(withSessions, "## Targets (measured, not asserted)\n\nDecided by the median of 3 sessions")
    assertFalse(withSessions.includes("does not decide them"))
    const oneRun = renderMarkdown(base)
    assertInclude(oneRun, "From the main table's one run, which does not decide them")
    assertInclude(oneRun, "1.10x of the Effect floor (target ≤ 1.15x): **meets**")
  })
})

describe("the clients of a session", () => {
  const shapeOf = (id: string) => id.endsWith("-each") ? "each" as const : "workers" as const

  it("runs each target's client with its ratio's denominator, by concurrency, each once", () => {
    deepStrictEqual(sessionGroups(targets, shapeOf), [
      { concurrency: 1, ids: ["undici-request", "steadfast-default"] },
      { concurrency: 64, ids: ["effect-floor-each", "steadfast-default-each", "steadfast-traced-each"] }
    ])
  })

  it("takes the floor of the client's shape", () => {
    const workers = [{ ...targets[0]!, clientId: "steadfast-default" }]
    deepStrictEqual(sessionGroups(workers, shapeOf), [{ concurrency: 64, ids: ["effect-floor", "steadfast-default"] }])
  })

  it("names clients the bench has, with the shapes the targets assume", () => {
    const shape = (id: string) => clients.find((c) => c.id === id)?.shape
    for (const group of sessionGroups(targets, shape)) {
      for (const id of group.ids) assertTrue(clients.some((c) => c.id === id), id)
    }
    deepStrictEqual(sessionGroups(targets, shape), sessionGroups(targets, shapeOf))
  })
})
