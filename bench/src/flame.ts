/**
 * Where the CPU goes, for RESULTS.md: the target rows' clients (the Effect
 * floor, steadfast default, steadfast with the tracer on; a fiber per
 * request) each run once more under V8's sampling profiler, in this
 * process, and their self time is summed by the place its code lives
 * (`profileSummary.ts`): µs per request per place, beside each client's
 * `process.cpuUsage()` for the same run, and the hottest functions of
 * steadfast's default row. `pnpm bench:profile` prints the same for one
 * client in full; bench/PROFILES.md keeps such runs with their reading.
 */
import * as inspector from "node:inspector/promises"
import type { ClientSpec } from "./base.js"
import type { Bound } from "./load.js"
import { aggregateProfile, type CpuProfile, type ProfileFigures } from "./profileSummary.js"
import { formatMicros } from "./stats.js"

/** One client's profiled run. */
export interface FlameRow {
  readonly id: string
  readonly name: string
  readonly concurrency: number
  readonly requests: number
  /** `process.cpuUsage()` over the profiled run, µs per request (the profiler's own cost included). */
  readonly cpuUs: number
  readonly figures: ProfileFigures
}

/** The clients profiled, in this order (ids of `clients.ts`). */
export const flameClients = ["effect-floor-each", "steadfast-default-each", "steadfast-traced-each"] as const

/** The places shown as columns, in this order; the rest are summed as "other". */
const columns = ["steadfast core", "steadfast node", "effect runtime", "undici", "native / V8", "node internals", "GC"]

/**
 * Profiles each of `specs` at `concurrency`: warm-up (`warm`), then one
 * run of `bound` under the sampling profiler (100 µs interval).
 */
export const profileClients = async (
  origin: string,
  specs: ReadonlyArray<ClientSpec>,
  concurrency: number,
  warm: Bound,
  bound: Bound,
  gc: () => void
): Promise<Array<FlameRow>> => {
  const rows: Array<FlameRow> = []
  for (const spec of specs) {
    const instance = await spec.make(origin, concurrency)
    const session = new inspector.Session()
    try {
      gc()
      await instance.run(warm)
      session.connect()
      await session.post("Profiler.enable")
      await session.post("Profiler.setSamplingInterval", { interval: 100 })
      await session.post("Profiler.start")
      const sample = await instance.run(bound)
      const { profile } = await session.post("Profiler.stop")
      rows.push({
        id: spec.id,
        name: spec.name,
        concurrency,
        requests: sample.ok,
        cpuUs: sample.ok > 0 ? sample.cpuUs / sample.ok : NaN,
        figures: aggregateProfile(profile as unknown as CpuProfile, sample.ok)
      })
    } finally {
      session.disconnect()
      await instance.close()
    }
  }
  return rows
}

const placeUs = (row: FlameRow, place: string): number => row.figures.places.find(([p]) => p === place)?.[1] ?? 0

const otherUs = (row: FlameRow): number =>
  row.figures.places.filter(([p]) => !columns.includes(p)).reduce((sum, [, us]) => sum + us, 0)

/** The profiled rows as a markdown table (µs per request per place) and the hottest functions of `focus`. */
export const renderFlame = (rows: ReadonlyArray<FlameRow>, focus = "steadfast-default-each", top = 10): string => {
  if (rows.length === 0) return "Not profiled in this run."
  const head = `| client | c | CPU/request | sampled | ${columns.join(" | ")} | other |`
  const rule = `| --- | ---: | ---: | ---: | ${columns.map(() => "---:").join(" | ")} | ---: |`
  const line = (r: FlameRow) =>
    `| ${r.name} | ${r.concurrency} | ${formatMicros(r.cpuUs)} | ${formatMicros(r.figures.busyUs)} | ${
      columns.map((p) => placeUs(r, p).toFixed(2)).join(" | ")
    } | ${otherUs(r).toFixed(2)} |`
  const lines = [
    "One more run of each client below under V8's sampling profiler (100 µs interval; the profiler's own cost " +
    "is in these runs, so their CPU/request reads higher than the tables'): self time in µs per request, by " +
    "where the code lives. *sampled* is the samples' time outside idle on the JS thread: wall time, so it " +
    "counts time the thread waited for one of the two cores the server shares; *CPU/request* " +
    "(`process.cpuUsage()`) is CPU time and also counts the kernel's side of the sockets and V8's helper " +
    "threads. `native / V8` is mostly the socket writes (`writeLatin1String`, `dispatch`); a sampling " +
    "profiler gives an inlined function's time to its caller. bench/PROFILES.md reads such profiles in full (`pnpm bench:profile`).",
    "",
    head,
    rule,
    ...rows.map(line)
  ]
  const row = rows.find((r) => r.id === focus)
  if (row !== undefined) {
    lines.push("", `Hottest functions of ${row.name} (self time, µs per request):`, "")
    for (const f of row.figures.functions.slice(0, top)) {
      lines.push(`- ${f.us.toFixed(2)} µs \`${f.key}\` (${f.place})`)
    }
  }
  return lines.join("\n")
}
