/**
 * From samples to figures, and from figures to text: the stdout table and
 * bench/RESULTS.md. Pure (no I/O, no clocks), so it is tested in bench/test.
 */
import {
  formatInt,
  formatMiB,
  formatMicros,
  formatRatio,
  median,
  meets,
  pairedRatio,
  percentileSorted
} from "./stats.js"

/** The figures of one run (one client, one concurrency, one repetition). */
export interface RunFigures {
  readonly ok: number
  readonly errors: number
  readonly rps: number
  readonly p50Us: number
  readonly p99Us: number
  readonly cpuUsPerRequest: number
}

/** What a run measured, as the load driver reports it. */
export interface RawRun {
  readonly ok: number
  readonly errors: number
  readonly wallMs: number
  readonly cpuUs: number
  readonly latenciesUs: ArrayLike<number>
}

export const figures = (run: RawRun): RunFigures => ({
  ok: run.ok,
  errors: run.errors,
  rps: run.ok > 0 && run.wallMs > 0 ? run.ok / (run.wallMs / 1000) : NaN,
  p50Us: percentileSorted(run.latenciesUs, 50),
  p99Us: percentileSorted(run.latenciesUs, 99),
  cpuUsPerRequest: run.ok > 0 ? run.cpuUs / run.ok : NaN
})

/** Medians over repetitions, and paired ratios to the reference. */
export interface Summary {
  readonly rps: number
  readonly p50Us: number
  readonly p99Us: number
  readonly cpuUsPerRequest: number
  readonly ratio: {
    readonly rps: number
    readonly p50: number
    readonly p99: number
    readonly cpu: number
  }
  readonly requests: number
  readonly errors: number
}

export const summarize = (runs: ReadonlyArray<RunFigures>, reference: ReadonlyArray<RunFigures>): Summary => {
  const pick = (xs: ReadonlyArray<RunFigures>, f: (r: RunFigures) => number) => xs.map(f)
  const ratioOf = (f: (r: RunFigures) => number) => pairedRatio(pick(runs, f), pick(reference, f))
  return {
    rps: median(pick(runs, (r) => r.rps)),
    p50Us: median(pick(runs, (r) => r.p50Us)),
    p99Us: median(pick(runs, (r) => r.p99Us)),
    cpuUsPerRequest: median(pick(runs, (r) => r.cpuUsPerRequest)),
    ratio: {
      rps: ratioOf((r) => r.rps),
      p50: ratioOf((r) => r.p50Us),
      p99: ratioOf((r) => r.p99Us),
      cpu: ratioOf((r) => r.cpuUsPerRequest)
    },
    requests: runs.reduce((n, r) => n + r.ok, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0)
  }
}

export interface ClientInfo {
  readonly id: string
  readonly name: string
  readonly tracing: "on" | "off" | undefined
  readonly describe: string
}

export interface Row {
  readonly client: ClientInfo
  readonly concurrency: number
  readonly summary: Summary
  /** For Effect clients: paired ratios to the Effect floor of the same shape, in the same repetitions. */
  readonly floor?: Summary["ratio"] | undefined
  readonly firstError: string | undefined
}

export interface Target {
  readonly label: string
  readonly clientId: string
  readonly concurrency: number
  readonly metric: "cpu" | "rps" | "p50"
  /** The ratio's denominator: raw undici, or the Effect floor of the client's shape. */
  readonly against: "undici" | "floor"
  readonly target: number
  readonly direction: "at-most" | "at-least"
}

/** The targets of the performance issue: measured and reported, never asserted. */
export const targets: ReadonlyArray<Target> = [
  {
    label: "steadfast default policy, tracing off, fiber/request: CPU/request",
    clientId: "steadfast-default-each",
    concurrency: 64,
    metric: "cpu",
    against: "floor",
    target: 1.15,
    direction: "at-most"
  },
  {
    label: "steadfast default policy, tracing off, fiber/request: throughput",
    clientId: "steadfast-default-each",
    concurrency: 64,
    metric: "rps",
    against: "floor",
    target: 0.9,
    direction: "at-least"
  },
  {
    label: "steadfast default policy, tracing on, fiber/request: CPU/request",
    clientId: "steadfast-traced-each",
    concurrency: 64,
    metric: "cpu",
    against: "floor",
    target: 1.5,
    direction: "at-most"
  },
  {
    label: "steadfast default policy: p50 latency",
    clientId: "steadfast-default",
    concurrency: 1,
    metric: "p50",
    against: "undici",
    target: 1.2,
    direction: "at-most"
  }
]

export interface TargetResult {
  readonly target: Target
  readonly measured: number
  readonly met: boolean | undefined
}

export const checkTargets = (rows: ReadonlyArray<Row>, list: ReadonlyArray<Target> = targets) =>
  list.map((target): TargetResult => {
    const row = rows.find((r) => r.client.id === target.clientId && r.concurrency === target.concurrency)
    const ratios = row === undefined ? undefined : target.against === "floor" ? row.floor : row.summary.ratio
    const measured = ratios === undefined ? NaN : ratios[target.metric]
    return { target, measured, met: meets(measured, target.target, target.direction) }
  })

/** One client's retry cost at one concurrency (extras.ts measures it). */
export interface RetryRow {
  readonly client: string
  readonly concurrency: number
  readonly happyCpuUs: number
  readonly flakyCpuUs: number
  /** flaky − happy, paired by repetition: what one failed attempt and its retry cost, in CPU µs. */
  readonly retryCostUs: number
  readonly happyRps: number
  readonly flakyRps: number
  readonly errors: number
}

export interface RetryFigures {
  readonly concurrencies: ReadonlyArray<number>
  readonly repetitions: number
  readonly requests: number
  readonly server: string
  readonly rows: ReadonlyArray<RetryRow>
}

export interface HeapFigures {
  readonly client: string
  readonly concurrency: number
  readonly requests: number
  readonly errors: number
  readonly seconds: number
  readonly checkpoints: ReadonlyArray<{ readonly requests: number; readonly heapUsed: number }>
  readonly growth: number
}

export interface SimulatedFigures {
  readonly clock: "TestClock" | "live"
  /** With the 10% chaos, or the same route without faults. */
  readonly chaos: boolean
  readonly requests: number
  readonly attempts: number
  readonly failed: number
  readonly concurrency: number
  readonly seconds: number
  readonly requestsPerSecond: number
  readonly cpuUsPerRequest: number
  readonly virtualSeconds: number | undefined
}

export interface Report {
  readonly date: string
  readonly commit: string | undefined
  readonly node: string
  readonly machine: { readonly cpu: string; readonly cores: number; readonly memory: string; readonly os: string }
  readonly versions: Readonly<Record<string, string>>
  readonly server: { readonly description: string; readonly note: string | undefined }
  readonly steadfastPath: string
  readonly method: {
    readonly repetitions: number
    readonly concurrencies: ReadonlyArray<number>
    readonly bounds: ReadonlyArray<
      { readonly concurrency: number; readonly maxRequests: number; readonly maxMs: number }
    >
    readonly warmup: string
    readonly quick: boolean
  }
  readonly clients: ReadonlyArray<ClientInfo>
  readonly rows: ReadonlyArray<Row>
  readonly retry: RetryFigures | undefined
  readonly heap: HeapFigures | undefined
  readonly simulated: ReadonlyArray<SimulatedFigures>
  readonly durationSeconds: number
}

const withRatio = (value: string, r: number) => `${value} (${formatRatio(r)})`

const tracingLabel = (c: ClientInfo) => c.tracing === undefined ? "" : c.tracing === "on" ? "on" : "off"

const pad = (s: string, n: number, right = false) => right ? s.padStart(n) : s.padEnd(n)

/** A plain-text table (stdout), one line per client and concurrency. */
export const renderTable = (rows: ReadonlyArray<Row>): string => {
  const header = ["client", "c", "req/s", "x", "p50", "x", "p99", "x", "CPU/req", "x", "x floor", "err"]
  const lines = rows.map((r) => {
    const s = r.summary
    return [
      r.client.name,
      String(r.concurrency),
      formatInt(s.rps),
      formatRatio(s.ratio.rps),
      formatMicros(s.p50Us),
      formatRatio(s.ratio.p50),
      formatMicros(s.p99Us),
      formatRatio(s.ratio.p99),
      formatMicros(s.cpuUsPerRequest),
      formatRatio(s.ratio.cpu),
      r.floor === undefined ? "" : formatRatio(r.floor.cpu),
      s.errors === 0 ? "" : formatInt(s.errors)
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cells: ReadonlyArray<string>) => cells.map((c, i) => pad(c, widths[i]!, i > 0)).join("  ").trimEnd()
  return [fmt(header), ...lines.map(fmt)].join("\n")
}

const mdRow = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`

/** The Markdown table of one concurrency's rows. */
export const mdTable = (rows: ReadonlyArray<Row>, concurrency: number): string => {
  const header = [
    "client",
    "tracing",
    "req/s (x undici)",
    "p50 (x)",
    "p99 (x)",
    "CPU/request (x)",
    "CPU, req/s (x floor)",
    "errors"
  ]
  const align = ["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"]
  const body = rows.filter((r) => r.concurrency === concurrency).map((r) => {
    const s = r.summary
    return mdRow([
      r.client.name,
      tracingLabel(r.client),
      withRatio(formatInt(s.rps), s.ratio.rps),
      withRatio(formatMicros(s.p50Us), s.ratio.p50),
      withRatio(formatMicros(s.p99Us), s.ratio.p99),
      `**${formatMicros(s.cpuUsPerRequest)}** (${formatRatio(s.ratio.cpu)})`,
      r.floor === undefined ? "" : `${formatRatio(r.floor.cpu)}, ${formatRatio(r.floor.rps)}`,
      s.errors === 0 ? "0" : `${formatInt(s.errors)}${r.firstError === undefined ? "" : ` (${r.firstError})`}`
    ])
  })
  return [mdRow(header), mdRow(align), ...body].join("\n")
}

export const renderTargets = (results: ReadonlyArray<TargetResult>): string =>
  results.map(({ measured, met, target }) => {
    const sign = target.direction === "at-most" ? "≤" : "≥"
    const verdict = met === undefined ? "not measured" : met ? "meets" : "misses"
    const of = target.against === "floor" ? "the Effect floor" : "raw undici"
    return `- ${target.label} at c=${target.concurrency}: ${formatRatio(measured)} of ${of} ` +
      `(target ${sign} ${target.target}x): **${verdict}**`
  }).join("\n")

export const renderRetry = (retry: RetryFigures): string =>
  [
    `Against ${retry.server}: \`GET /?k=N\` (200) vs \`GET /flaky?k=N\` (503 the first time a key is seen, ` +
    `200 on its retry), at c=${retry.concurrencies.join(" and c=")}, ${retry.repetitions} interleaved ` +
    `repetitions of up to ${formatInt(retry.requests)} logical requests each; medians, CPU per logical request. ` +
    "The cost of one retry is the paired difference (503 then 200) − (200): the failed attempt, the decision, " +
    "the backoff timer and the second request. Both wait a random 0–1 ms before the retry (steadfast: its default " +
    "policy with `backoff.base: 1 ms`, full jitter); raw undici's row is the floor: a hand-written re-send.",
    "",
    mdRow([
      "client",
      "c",
      "happy CPU/req",
      "503 then 200 CPU/req",
      "cost of one retry",
      "happy req/s",
      "retried req/s"
    ]),
    mdRow(["---", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ...retry.rows.map((r) =>
      mdRow([
        r.client,
        String(r.concurrency),
        formatMicros(r.happyCpuUs),
        formatMicros(r.flakyCpuUs),
        `**${formatMicros(r.retryCostUs)}**`,
        formatInt(r.happyRps),
        formatInt(r.flakyRps) + (r.errors > 0 ? ` (${r.errors} errors)` : "")
      ])
    )
  ].join("\n")

export const renderHeap = (heap: HeapFigures): string =>
  [
    `${formatInt(heap.requests)} requests through ${heap.client} at c=${heap.concurrency} in ` +
    `${heap.seconds.toFixed(1)} s (${heap.errors} errors); \`heapUsed\` after a forced GC:`,
    "",
    mdRow(["after requests", "heapUsed"]),
    mdRow(["---:", "---:"]),
    ...heap.checkpoints.map((c) => mdRow([formatInt(c.requests), formatMiB(c.heapUsed)])),
    "",
    `Growth from before to after: **${formatMiB(heap.growth, true)}**.`
  ].join("\n")

export const renderSimulated = (sims: ReadonlyArray<SimulatedFigures>): string => {
  const under = (chaos: boolean) => sims.find((s) => s.clock === "TestClock" && s.chaos === chaos)
  const withChaos = under(true)
  const without = under(false)
  return [
    "Requests through the core client over `SimulatedNetwork`, `client.json`, tracing off, response timeout 1 s: " +
    "with the 10% seeded chaos of docs/testing.md (4% reset, 3% 503, 2% hang ended by the response timeout, " +
    "1% truncated body), and the same route without faults. Under `TestClock` (the default policy, as a test " +
    "runs it, the clock advanced in 1 minute steps until done) and on the live clock (backoff base 1 ms).",
    "",
    mdRow([
      "clock",
      "faults",
      "c",
      "requests",
      "attempts",
      "failed after retries",
      "simulated requests/s",
      "CPU/request"
    ]),
    mdRow(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ...sims.map((sim) =>
      mdRow([
        sim.clock + (sim.virtualSeconds === undefined ? "" : ` (${sim.virtualSeconds} virtual s)`),
        sim.chaos ? "10% chaos" : "none",
        String(sim.concurrency),
        formatInt(sim.requests),
        formatInt(sim.attempts),
        formatInt(sim.failed),
        `**${formatInt(sim.requestsPerSecond)}**`,
        formatMicros(sim.cpuUsPerRequest)
      ])
    ),
    ...(withChaos !== undefined && without !== undefined
      ? [
        "",
        `Under TestClock the chaos run costs **${
          (withChaos.cpuUsPerRequest / without.cpuUsPerRequest).toFixed(2)
        }x** ` +
        `the CPU per request of the run without faults (${
          (without.requestsPerSecond / withChaos.requestsPerSecond).toFixed(2)
        }x its wall time).`
      ]
      : [])
  ].join("\n")
}

/** bench/RESULTS.md. */
export const renderMarkdown = (report: Report): string => {
  const m = report.method
  const concurrencies = m.concurrencies
  const sections: Array<string> = []
  sections.push(
    "# steadfast benchmark results",
    "",
    "Written by `pnpm bench` (bench/src/run.ts); do not edit by hand.",
    "",
    `- date: ${report.date}`,
    `- commit: ${report.commit ?? "unknown (not a git checkout)"}`,
    `- Node: ${report.node}`,
    `- machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memory}, ${report.machine.os}`,
    `- server: ${report.server.description}${report.server.note === undefined ? "" : ` — ${report.server.note}`}`,
    `- steadfast path: ${report.steadfastPath}`,
    `- versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `- run took ${report.durationSeconds.toFixed(0)} s${m.quick ? " (--quick)" : ""}`,
    "",
    "## Method",
    "",
    `- Loopback, the server in its own process; client and server share ${report.machine.cores} cores.`,
    `- Every client gets its own pool sized to the concurrency (keep-alive), is warmed up (${m.warmup}), ` +
      `then the clients run **interleaved round-robin**: ${m.repetitions} repetitions, each running every ` +
      "client once in a rotated order, so slow drifts of the machine hit all clients alike.",
    `- Each run is a closed loop of c workers, bounded in count and time: ${
      m.bounds.map((b) => `c=${b.concurrency}: ${formatInt(b.maxRequests)} requests or ${b.maxMs} ms`).join("; ")
    }, whichever comes first. A request is \`GET /\`, status checked, small JSON body read and parsed.`,
    "- **CPU/request** is the client process's `process.cpuUsage()` (user + system, all its threads: JS, " +
      "libuv, GC) over the run divided by the requests completed; a GC is forced before each run so a client " +
      "does not pay for the previous one's garbage. It is the steadiest figure on a shared machine.",
    "- Latency is per request, from send to parsed body (nearest-rank p50/p99 within a run).",
    "- Figures are medians over repetitions; `(x)` is the median of the per-repetition ratios to raw undici " +
      "`Agent.request()` measured in the same repetition (1.00x is the practical limit; higher CPU and latency " +
      "ratios are worse, higher req/s ratios are better). `(x floor)` is the same paired ratio to the Effect floor " +
      "of the client's shape: raw undici inside `Effect.tryPromise`, so it is what steadfast itself costs.",
    "- Shapes: Effect clients run as c long-lived worker fibers, and (rows marked *fiber/request*) as " +
      "`Effect.forEach(items, send, { concurrency: c })`, a fiber per request, the way users write it.",
    "- Tracing: Effect clients marked *off* run inside `Effect.withTracerEnabled(false)` (the same as " +
      "`Layer.setTracerEnabled(false)`); *on* is Effect's default native tracer (spans made, none exported).",
    "- Effect's default (console) logger is removed from every Effect runtime here (`Logger.remove`), so steadfast's " +
      "retry log lines cost their construction, not terminal I/O.",
    "",
    "Clients:",
    "",
    ...report.clients.map((c) => `- **${c.name}**: ${c.describe}`),
    ""
  )
  for (const c of concurrencies) {
    sections.push(`## Results at c=${c}`, "", mdTable(report.rows, c), "")
  }
  sections.push("## Targets (measured, not asserted)", "", renderTargets(checkTargets(report.rows)), "")
  if (report.retry !== undefined) sections.push("## Cost of one retry", "", renderRetry(report.retry), "")
  if (report.heap !== undefined) sections.push("## Heap after many requests", "", renderHeap(report.heap), "")
  if (report.simulated.length > 0) {
    sections.push("## Testkit: simulated requests per second", "", renderSimulated(report.simulated), "")
  }
  return sections.join("\n")
}
