/**
 * From samples to figures: one run's figures, the medians and paired ratios
 * over repetitions, and a row of the results table. Pure, tested in bench/test.
 */
import { median, pairedRatio, percentileSorted } from "./stats.js"

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
