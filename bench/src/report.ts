/**
 * From figures to text: the stdout table and bench/RESULTS.md. Pure (no I/O,
 * no clocks), so it is tested in bench/test. The figures are `figures.ts`,
 * the targets `targets.ts`, the extra sections `extrasReport.ts`.
 */
import {
  type HeapFigures,
  renderHeap,
  renderRetry,
  renderSimulated,
  type RetryFigures,
  type SimulatedFigures
} from "./extrasReport.js"
import type { ClientInfo, Row } from "./figures.js"
import { type FlameRow, renderFlame } from "./flame.js"
import { formatInt, formatMicros, formatRatio, mdRow } from "./stats.js"
import { checkTargets, renderTargets } from "./targets.js"
import { renderTargetSessions, type TargetSessions } from "./targetSpread.js"

export * from "./extrasReport.js"
export * from "./figures.js"
export * from "./targets.js"
export * from "./targetSpread.js"

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
    /** Unmeasured requests after the forced GC before each run (0: none); rewarm.ts. */
    readonly rewarm: number
    readonly quick: boolean
  }
  readonly clients: ReadonlyArray<ClientInfo>
  readonly rows: ReadonlyArray<Row>
  /** The targets decided over sessions (`--target-sessions`); without them, the main table's one run is shown. */
  readonly targets?: TargetSessions | undefined
  /** The target rows' clients profiled again (`flame.ts`), when the extras ran. */
  readonly flame?: ReadonlyArray<FlameRow> | undefined
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
      "does not pay for the previous one's garbage, " +
      (m.rewarm > 0
        ? `then ${formatInt(m.rewarm)} requests of the same client at the same concurrency, unmeasured, ` +
          "re-warm it: a forced full GC deoptimises the optimised code that holds objects it finds dead, and V8 " +
          "recompiles it over the next few thousand requests, which a run right after the GC measured (up to 2.5x " +
          "steadfast's CPU per request; a steady state pays it far less often; bench/PROFILES.md, " +
          "\"A forced GC, then a re-warm\"). "
        : "with no re-warm after it (`--rewarm 0`), so each run includes V8 recompiling what the GC deoptimised. ") +
      "It is the steadiest figure on a shared machine.",
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
  sections.push(
    "## Targets (measured, not asserted)",
    "",
    report.targets !== undefined && report.targets.sessions > 0
      ? renderTargetSessions(report.targets)
      : `From the main table's one run, which does not decide them (bench/PROFILES.md, "How far one run decides ` +
        `the targets"):\n\n${renderTargets(checkTargets(report.rows))}`,
    ""
  )
  if (report.flame !== undefined && report.flame.length > 0) {
    sections.push("## Where the CPU goes (sampled profile, c=64, fiber/request)", "", renderFlame(report.flame), "")
  }
  if (report.retry !== undefined) sections.push("## Cost of one retry", "", renderRetry(report.retry), "")
  if (report.heap !== undefined) sections.push("## Heap after many requests", "", renderHeap(report.heap), "")
  if (report.simulated.length > 0) {
    sections.push("## Testkit: simulated requests per second", "", renderSimulated(report.simulated), "")
  }
  return sections.join("\n")
}
