/**
 * The pure parts of the benchmark: percentiles, medians, ratios, formatting,
 * the summary of repetitions and the RESULTS.md renderer. No timing.
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { placeOf, summarizeProfile } from "../src/profileSummary.js"
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
import { nginxConfig } from "../src/server.js"
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
    growth: 0.5 * 1024 * 1024
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
        "| TestClock (60 virtual s) | 10% chaos | 64 | 1,000 | 1,100 | 0 | **2,000** | 150 µs |"
      ]
    ) assertInclude(md, expected)
  })

  it("leaves out the extras that did not run", () => {
    const md = renderMarkdown({ ...report, retry: undefined, heap: undefined, simulated: [], commit: undefined })
    assertFalse(md.includes("## Cost of one retry"))
    assertFalse(md.includes("## Heap"))
    assertFalse(md.includes("## Testkit"))
    assertInclude(md, "commit: unknown")
  })
})

describe("nginx config", () => {
  it("listens on loopback with keep-alive, no access log, and serves the body", () => {
    const conf = nginxConfig("/tmp/x", 8123, `{"a":"it's"}`)
    assertInclude(conf, "listen 127.0.0.1:8123")
    assertInclude(conf, "daemon off;")
    assertInclude(conf, "access_log off;")
    assertInclude(conf, "keepalive_requests")
    assertInclude(conf, `return 200 '{"a":"it\\'s"}';`)
    assertFalse(conf.includes("fastcgi_temp_path"))
  })

  it("points the temp paths of the modules nginx has into its temp dir", () => {
    const conf = nginxConfig("/tmp/x", 8123, "{}", ["fastcgi", "uwsgi"])
    assertInclude(conf, "fastcgi_temp_path /tmp/x/temp/fastcgi;")
    assertInclude(conf, "uwsgi_temp_path /tmp/x/temp/uwsgi;")
    assertFalse(conf.includes("scgi_temp_path /tmp"))
  })
})

describe("profile summary", () => {
  const frame = (id: number, functionName: string, url: string, lineNumber = 0) => ({
    id,
    callFrame: { functionName, url, lineNumber }
  })
  const profile = {
    nodes: [
      frame(1, "(idle)", ""),
      frame(2, "decide", "file:///w/packages/core/src/internal/decide.ts", 9),
      frame(
        3,
        "runLoop",
        "file:///w/node_modules/.pnpm/effect@3.22.4/node_modules/effect/dist/esm/internal/fiberRuntime.js"
      ),
      frame(4, "(garbage collector)", ""),
      frame(5, "onData", "file:///w/node_modules/.pnpm/undici@7.30.2/node_modules/undici/lib/dispatcher/client-h1.js")
    ],
    samples: [1, 2, 3, 3, 4, 5, 1],
    timeDeltas: [500, 100, 200, 200, 100, 400, 500]
  }

  it("names the place each frame's code lives", () => {
    deepStrictEqual(profile.nodes.map((n) => placeOf(n.callFrame.url, n.callFrame.functionName)), [
      "(idle)",
      "steadfast core",
      "effect runtime",
      "GC",
      "undici"
    ])
    strictEqual(placeOf("node:internal/streams/readable", "read"), "node internals")
  })

  it("sums self time per place and per function, per request, leaving idle out", () => {
    const text = summarizeProfile(profile, 10, 2)
    assertInclude(text, "busy samples:  100.00 µs/request")
    assertInclude(text, "  40.00 µs   40.0%  effect runtime")
    assertInclude(text, "  10.00 µs   10.0%  steadfast core")
    assertInclude(text, "top 2 functions")
    assertInclude(text, "40.00 µs   40.0%  runLoop")
    assertInclude(text, "40.00 µs   40.0%  onData lib/dispatcher/client-h1.js:1  [undici]")
    assertFalse(text.includes("decide src/internal"), text)
  })
})
