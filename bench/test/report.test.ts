/**
 * From runs to RESULTS.md (figures.ts, targets.ts, extrasReport.ts,
 * report.ts): one run's figures, the summary of repetitions, the targets
 * and the renderers. No timing.
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { type FlameRow, mergeRuns, renderFlame } from "../src/flame.js"
import {
  checkTargets,
  figures,
  renderMarkdown,
  renderSimulated,
  renderTable,
  type Report,
  type Row,
  type RunFigures,
  summarize
} from "../src/report.js"

const run = (rps: number, cpu: number, p50 = 100, p99 = 1000): RunFigures => ({
  ok: 1000,
  errors: 0,
  rps,
  p50Us: p50,
  p99Us: p99,
  cpuUsPerRequest: cpu
})

describe("figures and summaries", () => {
  it("turns a raw run into figures", () => {
    const f = figures({ ok: 4, errors: 1, wallMs: 2, cpuUs: 100, latenciesUs: [10, 20, 30, 40] })
    deepStrictEqual(f, { ok: 4, errors: 1, rps: 2000, p50Us: 20, p99Us: 40, cpuUsPerRequest: 25 })
  })

  it("gives NaN figures for a run that completed nothing", () => {
    const f = figures({ ok: 0, errors: 3, wallMs: 5, cpuUs: 100, latenciesUs: [] })
    assertTrue(Number.isNaN(f.rps) && Number.isNaN(f.cpuUsPerRequest) && Number.isNaN(f.p50Us))
  })

  it("summarizes medians and paired ratios to the reference", () => {
    const reference = [run(1000, 20), run(800, 25), run(1000, 20)]
    const client = [run(500, 40), run(400, 50), run(600, 30)]
    const s = summarize(client, reference)
    strictEqual(s.rps, 500)
    strictEqual(s.cpuUsPerRequest, 40)
    strictEqual(s.ratio.rps, 0.5)
    strictEqual(s.ratio.cpu, 2)
    strictEqual(s.ratio.p50, 1)
    strictEqual(s.requests, 3000)
    strictEqual(s.errors, 0)
  })
})

const info = (id: string, name: string, tracing: "on" | "off" | undefined = undefined) => ({
  id,
  name,
  tracing,
  describe: `what ${name} does`
})

const rows: ReadonlyArray<Row> = [1, 64].flatMap((concurrency) => {
  const reference = [run(10_000, 20), run(10_000, 20)]
  const floor = [run(8000, 25), run(8000, 25)]
  const plain = [
    { client: info("undici-request", "undici Agent.request"), runs: reference },
    { client: info("steadfast-default", "steadfast default", "off"), runs: [run(7000, 30, 130), run(7000, 30, 130)] },
    { client: info("steadfast-traced", "steadfast default (tracing on)", "on"), runs: [run(5000, 60), run(5000, 60)] }
  ].map(({ client, runs }) => ({ client, concurrency, summary: summarize(runs, reference), firstError: undefined }))
  const perRequest = [
    { client: info("effect-floor-each", "Effect floor (fiber/request)", "off"), runs: floor },
    {
      client: info("steadfast-default-each", "steadfast default (fiber/request)", "off"),
      runs: [run(7600, 27.5), run(7600, 27.5)]
    },
    {
      client: info("steadfast-traced-each", "steadfast traced (fiber/request)", "on"),
      runs: [run(5000, 40), run(5000, 40)]
    }
  ].map(({ client, runs }) => ({
    client,
    concurrency,
    summary: summarize(runs, reference),
    floor: summarize(runs, floor).ratio,
    firstError: undefined
  }))
  return [...plain, ...perRequest]
})

const report: Report = {
  date: "2026-01-02T03:04:05.000Z",
  commit: "abc1234",
  node: "v20.20.2",
  machine: { cpu: "Test CPU", cores: 2, memory: "4.0 GiB RAM", os: "Linux 6 x64" },
  versions: { undici: "7.30.2", effect: "3.22.4" },
  server: { description: "nginx/1.22.1 (1 worker)", note: undefined },
  steadfastPath: "the node transport",
  method: {
    repetitions: 2,
    concurrencies: [1, 64],
    bounds: [{ concurrency: 1, maxRequests: 100, maxMs: 10 }, { concurrency: 64, maxRequests: 1000, maxMs: 20 }],
    warmup: "10 requests",
    rewarm: 4000,
    quick: false
  },
  clients: [
    info("undici-request", "undici Agent.request"),
    info("steadfast-default", "steadfast default", "off"),
    info("steadfast-traced", "steadfast default (tracing on)", "on")
  ],
  rows,
  retry: {
    concurrencies: [64],
    repetitions: 2,
    requests: 100,
    rewarm: 4000,
    server: "node:http",
    rows: [{
      client: "steadfast",
      concurrency: 64,
      happyCpuUs: 30,
      flakyCpuUs: 90,
      retryCostUs: 60,
      happyRps: 9000,
      flakyRps: 4000,
      errors: 0
    }]
  },
  heap: {
    client: "steadfast",
    concurrency: 64,
    requests: 100_000,
    errors: 0,
    seconds: 10,
    checkpoints: [{ requests: 0, heapUsed: 30 * 1024 * 1024 }, { requests: 100_000, heapUsed: 30.5 * 1024 * 1024 }],
    growth: 0.5 * 1024 * 1024,
    slopePerThousand: 12.34
  },
  simulated: [{
    clock: "TestClock",
    chaos: false,
    requests: 1000,
    attempts: 1000,
    failed: 0,
    concurrency: 64,
    seconds: 0.25,
    requestsPerSecond: 4000,
    cpuUsPerRequest: 60,
    virtualSeconds: 60
  }, {
    clock: "TestClock",
    chaos: true,
    requests: 1000,
    attempts: 1100,
    failed: 0,
    concurrency: 64,
    seconds: 0.5,
    requestsPerSecond: 2000,
    cpuUsPerRequest: 150,
    virtualSeconds: 60
  }],
  durationSeconds: 123
}

describe("targets", () => {
  it("reads the ratios of the rows they name, against undici or against the Effect floor", () => {
    const results = checkTargets(rows)
    deepStrictEqual(results.map((r) => [r.measured, r.met]), [[1.1, true], [0.95, true], [1.6, false], [1.3, false]])
  })

  it("are not measured when the row is missing", () => {
    const results = checkTargets([])
    assertTrue(results.every((r) => r.met === undefined && Number.isNaN(r.measured)))
  })
})

describe("renderers", () => {
  it("prints the simulated runs and the chaos run's cost against the run without faults", () => {
    const md = renderSimulated(report.simulated)
    assertTrue(md.includes("| TestClock (60 virtual s) | 10% chaos | 64 | 1,000 | 1,100 | 0 | **2,000** |"), md)
    assertTrue(
      md.includes("the chaos run costs **2.50x** the CPU per request of the run without faults (2.00x its wall time)"),
      md
    )
  })

  it("prints one aligned line per client and concurrency", () => {
    const lines = renderTable(rows).split("\n")
    strictEqual(lines.length, 1 + rows.length)
    assertInclude(lines[0], "CPU/req")
    assertInclude(lines[2], "steadfast default")
    assertInclude(lines[2], "7,000")
    assertInclude(lines[2], "0.70x")
    assertInclude(lines[2], "1.50x")
  })

  it("prints the ratio to the Effect floor for the rows that have one, and nothing for the others", () => {
    const lines = renderTable(rows).split("\n")
    assertInclude(lines[0], "x floor")
    assertInclude(lines[5], "steadfast default (fiber/request)")
    assertTrue(lines[5]!.trimEnd().endsWith("1.10x"), lines[5])
    assertFalse(lines[1]!.includes("1.10x"), lines[1])
    const md = renderMarkdown(report)
    assertInclude(md, "| **28 µs** (1.38x) | 1.10x, 0.95x | 0 |")
    assertInclude(md, "0.95x of the Effect floor (target ≥ 0.9x): **meets**")
  })

  it("writes RESULTS.md with the context, the method, the tables and the extras", () => {
    const md = renderMarkdown(report)
    for (
      const expected of [
        "date: 2026-01-02T03:04:05.000Z",
        "commit: abc1234",
        "Node: v20.20.2",
        "Test CPU, 2 cores, 4.0 GiB RAM",
        "server: nginx/1.22.1 (1 worker)",
        "steadfast path: the node transport",
        "interleaved round-robin",
        "process.cpuUsage()",
        "## Results at c=1",
        "## Results at c=64",
        "| steadfast default | off | 7,000 (0.70x) |",
        "**30 µs** (1.50x)",
        "(target ≤ 1.15x): **meets**",
        "(target ≤ 1.5x): **misses**",
        "p50 latency at c=1: 1.30x of raw undici (target ≤ 1.2x): **misses**",
        "## Cost of one retry",
        "**60 µs**",
        "Growth from before to after: **+0.5 MiB**",
        "**12.3 bytes per 1,000 requests**",
        "| TestClock (60 virtual s) | 10% chaos | 64 | 1,000 | 1,100 | 0 | **2,000** | 150 µs |"
      ]
    ) assertInclude(md, expected)
  })

  it("says in the method and the retry section that each run starts with a forced GC and the re-warm, or without it", () => {
    const md = renderMarkdown(report)
    assertInclude(
      md,
      "a GC is forced before each run so a client does not pay for the previous one's garbage, " +
        "then 4,000 requests of the same client at the same concurrency, unmeasured, re-warm it"
    )
    assertInclude(md, "each after a forced GC and 4,000 unmeasured requests of the same client on the same path")
    const without = renderMarkdown({
      ...report,
      method: { ...report.method, rewarm: 0 },
      retry: { ...report.retry!, rewarm: 0 }
    })
    assertFalse(without.includes("re-warm it"))
    assertInclude(without, "with no re-warm after it (`--rewarm 0`)")
    assertInclude(without, "each after a forced GC, with no re-warm;")
  })

  it("leaves out the extras that did not run", () => {
    const md = renderMarkdown({ ...report, retry: undefined, heap: undefined, simulated: [], commit: undefined })
    assertFalse(md.includes("## Cost of one retry"))
    assertFalse(md.includes("## Heap"))
    assertFalse(md.includes("## Testkit"))
    assertInclude(md, "commit: unknown")
  })
})

describe("where the CPU goes (renderFlame)", () => {
  const row = (id: string, name: string, places: ReadonlyArray<readonly [string, number]>): FlameRow => ({
    id,
    name,
    concurrency: 64,
    requests: 1000,
    rounds: 1,
    cpuUs: 30,
    figures: {
      busyUs: places.reduce((sum, [, us]) => sum + us, 0),
      places,
      functions: [{ key: "decide dist/internal/decide.js:10", place: "steadfast core", us: 1.5 }]
    }
  })

  it("shows each client's µs per request by place, the unnamed places summed as other, and the focus's hottest functions", () => {
    const text = renderFlame([
      row("effect-floor-each", "Effect floor", [["undici", 5], ["effect runtime", 2]]),
      row("steadfast-default-each", "steadfast default", [["steadfast core", 4], ["undici", 5], ["bench driver", 0.5], [
        "(program)",
        0.25
      ]])
    ])
    assertInclude(
      text,
      "| Effect floor | 64 | 30 µs | 7.0 µs | 0.00 | 0.00 | 2.00 | 5.00 | 0.00 | 0.00 | 0.00 | 0.00 |"
    )
    assertInclude(
      text,
      "| steadfast default | 64 | 30 µs | 9.8 µs | 4.00 | 0.00 | 0.00 | 5.00 | 0.00 | 0.00 | 0.00 | 0.75 |"
    )
    assertInclude(text, "Hottest functions of steadfast default")
    assertInclude(text, "- 1.50 µs `decide dist/internal/decide.js:10` (steadfast core)")
  })

  it("says so when nothing was profiled", () => {
    strictEqual(renderFlame([]), "Not profiled in this run.")
  })

  it("merges a client's rounds per request over all their requests, each round weighted by its requests", () => {
    const run = (requests: number, cpuUs: number, undici: number, core: number, decide: number): FlameRow => ({
      id: "steadfast-default-each",
      name: "steadfast default",
      concurrency: 64,
      requests,
      rounds: 1,
      cpuUs,
      figures: {
        busyUs: undici + core,
        places: [["undici", undici], ["steadfast core", core]],
        functions: [
          { key: "decide dist/internal/decide.js:10", place: "steadfast core", us: decide },
          { key: "dispatch :0", place: "native / V8", us: 1 }
        ]
      }
    })
    // 1,000 requests at undici 6 µs and 3,000 at 2 µs: (6,000 + 6,000) / 4,000 = 3 µs per request
    const merged = mergeRuns([run(1000, 40, 6, 1, 0.5), run(3000, 20, 2, 3, 2.5)])
    strictEqual(merged.requests, 4000)
    strictEqual(merged.rounds, 2)
    strictEqual(merged.cpuUs, 25)
    strictEqual(merged.figures.busyUs, 5.5)
    deepStrictEqual(merged.figures.places, [["undici", 3], ["steadfast core", 2.5]])
    deepStrictEqual(merged.figures.functions.map((f) => [f.key, f.us]), [
      ["decide dist/internal/decide.js:10", 2],
      ["dispatch :0", 1]
    ])
    assertInclude(renderFlame([merged]), "2 more runs of each client")
  })
})
