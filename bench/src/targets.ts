/**
 * The targets of the performance issue (issue 16), checked against the rows
 * of a run: measured and reported, never asserted.
 */
import type { Row } from "./figures.js"
import { formatRatio, meets } from "./stats.js"

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

export const renderTargets = (results: ReadonlyArray<TargetResult>): string =>
  results.map(({ measured, met, target }) => {
    const sign = target.direction === "at-most" ? "≤" : "≥"
    const verdict = met === undefined ? "not measured" : met ? "meets" : "misses"
    const of = target.against === "floor" ? "the Effect floor" : "raw undici"
    return `- ${target.label} at c=${target.concurrency}: ${formatRatio(measured)} of ${of} ` +
      `(target ${sign} ${target.target}x): **${verdict}**`
  }).join("\n")
