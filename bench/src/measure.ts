/**
 * The main table's measurement: every client warmed up, then run
 * interleaved round-robin at one concurrency, each run bounded in count and
 * time; rows with ratios to raw undici and to the Effect floor of the
 * client's shape. Shared by `run.ts` and the Effect line bench
 * (`effectLine.ts`), on either Effect line.
 */
import { type ClientSpec, FLOOR, type Instance, REFERENCE } from "./base.js"
import type { Bound, Sample } from "./load.js"
import { figures, type Row, type RunFigures, summarize } from "./report.js"
import { measuredSample, rewarmBound } from "./rewarm.js"
import { rotated } from "./stats.js"

/** How long and how often each client runs, at which concurrencies. */
export interface TablePlan {
  readonly repetitions: number
  readonly concurrencies: ReadonlyArray<number>
  readonly bound: (concurrency: number) => Bound
  readonly warmup: (concurrency: number) => Bound
  /** The unmeasured requests after the forced GC before each run (rewarm.ts). */
  readonly rewarm: Bound
}

/**
 * The main table's plan: `quick` for the CI smoke run. `rewarmRequests`
 * (`--rewarm N`): the re-warm's count instead of rewarm.ts's. `byCount`
 * (`--by-count`): every run ends at its request count (the time bound, 20
 * times longer, is only a safety net). A run cut at its time bound divides
 * the CPU of the fiber-per-request shape's leftover items (each a fork and a
 * check) by fewer requests for a slower client, which inflates its ratio.
 */
export const tablePlan = (quick: boolean, byCount: boolean, rewarmRequests?: number): TablePlan => {
  const countBound = (bound: Bound): Bound => byCount ? { ...bound, maxMs: bound.maxMs * 20 } : bound
  const bound = quick
    ? (c: number) => c === 1 ? { maxRequests: 1000, maxMs: 300 } : { maxRequests: 5000, maxMs: 500 }
    : (c: number) => c === 1 ? { maxRequests: 5000, maxMs: 1000 } : { maxRequests: 30_000, maxMs: 1500 }
  const warmup = quick ? { maxRequests: 1000, maxMs: 500 } : { maxRequests: 3000, maxMs: 1000 }
  return {
    repetitions: quick ? 2 : 5,
    concurrencies: [1, 64],
    bound: (c) => countBound(bound(c)),
    warmup: () => countBound(warmup),
    rewarm: rewarmBound(quick, rewarmRequests)
  }
}

export interface Slot {
  readonly spec: ClientSpec
  instance: Instance | undefined
  readonly runs: Array<RunFigures>
  firstError: string | undefined
}

const HANG_GRACE_MS = 30_000

/** Runs one bounded load; a run that does not end within its bound plus a grace period counts as broken. */
const runBounded = async (instance: Instance, bound: Bound): Promise<Sample> => {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`run did not finish within ${bound.maxMs + HANG_GRACE_MS} ms`)),
      bound.maxMs + HANG_GRACE_MS
    )
  })
  try {
    return await Promise.race([instance.run(bound), hang])
  } finally {
    clearTimeout(timer)
  }
}

const failedRun = (message: string, slot: Slot): RunFigures => {
  slot.firstError ??= message
  return { ok: 0, errors: 1, rps: NaN, p50Us: NaN, p99Us: NaN, cpuUsPerRequest: NaN }
}

/**
 * Every client of `specs` at one concurrency, interleaved; each run starts
 * with `gc` and the plan's re-warm of the same client (rewarm.ts).
 */
export const measureConcurrency = async (
  origin: string,
  specs: ReadonlyArray<ClientSpec>,
  concurrency: number,
  plan: TablePlan,
  gc: () => void,
  log: (line: string) => void
): Promise<ReadonlyArray<Slot>> => {
  const slots: Array<Slot> = specs.map((spec) => ({ spec, instance: undefined, runs: [], firstError: undefined }))
  for (const slot of slots) {
    try {
      slot.instance = await slot.spec.make(origin, concurrency)
      await runBounded(slot.instance, plan.warmup(concurrency))
    } catch (error) {
      slot.firstError = `setup failed: ${String(error)}`
    }
  }
  const bound = plan.bound(concurrency)
  for (let rep = 0; rep < plan.repetitions; rep++) {
    // rotate the order each repetition so no client always runs first or last
    const order = rotated(slots, rep)
    for (const slot of order) {
      if (slot.instance === undefined) {
        slot.runs.push(failedRun(slot.firstError ?? "no instance", slot))
        continue
      }
      const instance = slot.instance
      try {
        const sample = await measuredSample(gc, plan.rewarm, (b) => runBounded(instance, b), bound)
        if (sample.firstError !== undefined) slot.firstError ??= sample.firstError
        slot.runs.push(figures(sample))
      } catch (error) {
        slot.runs.push(failedRun(String(error), slot))
      }
    }
    log(`  c=${concurrency}: repetition ${rep + 1}/${plan.repetitions} done`)
  }
  for (const slot of slots) {
    try {
      await slot.instance?.close()
    } catch {
      // closing is best effort
    }
  }
  return slots
}

/** The rows of one concurrency: medians, and paired ratios to raw undici and to the Effect floor. */
export const rowsOf = (slots: ReadonlyArray<Slot>, concurrency: number): Array<Row> => {
  const runsOf = (id: string) => slots.find((s) => s.spec.id === id)?.runs
  const reference = runsOf(REFERENCE) ?? []
  return slots.map((slot) => {
    const floor = slot.spec.shape === undefined ? undefined : runsOf(FLOOR[slot.spec.shape])
    return {
      client: { id: slot.spec.id, name: slot.spec.name, tracing: slot.spec.tracing, describe: slot.spec.describe },
      concurrency,
      summary: summarize(slot.runs, reference),
      floor: floor === undefined ? undefined : summarize(slot.runs, floor).ratio,
      firstError: slot.firstError
    }
  })
}
