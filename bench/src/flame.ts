/**
 * Where the CPU goes, for RESULTS.md: the target rows' clients (the Effect
 * floor, steadfast default, steadfast with the tracer on; a fiber per
 * request) run again under V8's sampling profiler, in this process, a few
 * rounds interleaved (one profile alone moved by half between runs), and
 * their self time is summed by the place its code lives
 * (`profileSummary.ts`): µs per request per place, beside each client's
 * `process.cpuUsage()` for the same run, and the hottest functions of
 * steadfast's default row. `pnpm bench:profile` prints the same for one
 * client in full; bench/PROFILES.md keeps such runs with their reading.
 */
import * as inspector from "node:inspector/promises"
import type { ClientSpec } from "./base.js"
import type { Bound } from "./load.js"
import { aggregateProfile, type CpuProfile, type ProfileFigures } from "./profileSummary.js"
import { formatMicros, rotated } from "./stats.js"

/** One client's profiled run. */
export interface FlameRow {
  readonly id: string
  readonly name: string
  readonly concurrency: number
  /** Requests completed in the profiled runs. */
  readonly requests: number
  /** Profiled runs merged into this row. */
  readonly rounds: number
  /** `process.cpuUsage()` over the profiled runs, µs per request (the profiler's own cost included). */
  readonly cpuUs: number
  readonly figures: ProfileFigures
}

/** The clients profiled, in this order (ids of `clients.ts`). */
export const flameClients = ["effect-floor-each", "steadfast-default-each", "steadfast-traced-each"] as const

/** The places shown as columns, in this order; the rest are summed as "other". */
const columns = ["steadfast core", "steadfast node", "effect runtime", "undici", "native / V8", "node internals", "GC"]

/**
 * Profiles each of `specs` at `concurrency`, `rounds` times, the clients
 * interleaved in an order rotated each round: a forced GC, a warm-up
 * (`warm`), then one run of `bound` under the sampling profiler (100 µs
 * interval). A client's rounds are merged by {@link mergeRuns}.
 */
export const profileClients = async (
  origin: string,
  specs: ReadonlyArray<ClientSpec>,
  concurrency: number,
  warm: Bound,
  bound: Bound,
  gc: () => void,
  rounds = 1
): Promise<Array<FlameRow>> => {
  const runs = new Map<string, Array<FlameRow>>(specs.map((spec) => [spec.id, []]))
  for (let round = 0; round < rounds; round++) {
    for (const spec of rotated(specs, round)) {
      runs.get(spec.id)!.push(await profileOnce(origin, spec, concurrency, warm, bound, gc))
    }
  }
  return specs.map((spec) => mergeRuns(runs.get(spec.id)!))
}

const profileOnce = async (
  origin: string,
  spec: ClientSpec,
  concurrency: number,
  warm: Bound,
  bound: Bound,
  gc: () => void
): Promise<FlameRow> => {
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
    return {
      id: spec.id,
      name: spec.name,
      concurrency,
      requests: sample.ok,
      rounds: 1,
      cpuUs: sample.ok > 0 ? sample.cpuUs / sample.ok : NaN,
      figures: aggregateProfile(profile as unknown as CpuProfile, sample.ok)
    }
  } finally {
    session.disconnect()
    await instance.close()
  }
}

/**
 * One client's profiled runs as one: every figure per request over all
 * their requests (each run weighted by the requests it completed), the
 * places and functions largest first.
 */
export const mergeRuns = (runs: ReadonlyArray<FlameRow>): FlameRow => {
  const first = runs[0]!
  const requests = runs.reduce((sum, r) => sum + r.requests, 0)
  const weighted = (f: (r: FlameRow) => number) =>
    requests === 0 ? NaN : runs.reduce((sum, r) => sum + f(r) * r.requests, 0) / requests
  const places = new Map<string, number>()
  const functions = new Map<string, { place: string; us: number }>()
  for (const r of runs) {
    const w = requests === 0 ? 0 : r.requests / requests
    for (const [place, us] of r.figures.places) places.set(place, (places.get(place) ?? 0) + us * w)
    for (const f of r.figures.functions) {
      const seen = functions.get(f.key)
      functions.set(f.key, { place: f.place, us: (seen?.us ?? 0) + f.us * w })
    }
  }
  return {
    ...first,
    requests,
    rounds: runs.length,
    cpuUs: weighted((r) => r.cpuUs),
    figures: {
      busyUs: weighted((r) => r.figures.busyUs),
      places: [...places].sort((a, b) => b[1] - a[1]),
      functions: [...functions].map(([key, f]) => ({ key, ...f })).sort((a, b) => b.us - a.us)
    }
  }
}

const placeUs = (row: FlameRow, place: string): number => row.figures.places.find(([p]) => p === place)?.[1] ?? 0

const otherUs = (row: FlameRow): number =>
  row.figures.places.filter(([p]) => !columns.includes(p)).reduce((sum, [, us]) => sum + us, 0)

const rounds = (rows: ReadonlyArray<FlameRow>): string => {
  const n = rows[0]?.rounds ?? 1
  return n === 1 ? "One more run" : `${n} more runs`
}

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
    `${rounds(rows)} of each client below under V8's sampling profiler, interleaved (each after a forced GC ` +
    "and a re-warm; 100 µs interval; the profiler's own cost is in these runs, so their CPU/request reads " +
    "higher than the tables'), merged: self time in µs per request over all their requests, by " +
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
