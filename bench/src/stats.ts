/**
 * Pure arithmetic and formatting for the benchmark: percentiles, medians,
 * ratios. No I/O, no clocks: tested in bench/test.
 */

/**
 * The nearest-rank percentile (`p` in [0, 100]) of `values`, which must be
 * sorted ascending; `NaN` when empty.
 */
export const percentileSorted = (sorted: ArrayLike<number>, p: number): number => {
  const n = sorted.length
  if (n === 0) return NaN
  if (p <= 0) return sorted[0]!
  if (p >= 100) return sorted[n - 1]!
  const rank = Math.ceil((p / 100) * n)
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!
}

/** The nearest-rank percentile of unsorted values (copies, then sorts). */
export const percentile = (values: ArrayLike<number>, p: number): number =>
  percentileSorted(Float64Array.from(values).sort(), p)

/**
 * The median: the middle value, or the mean of the two middle values for an
 * even count; `NaN` when empty. Non-finite values are ignored.
 */
export const median = (values: ReadonlyArray<number>): number => {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b)
  const n = xs.length
  if (n === 0) return NaN
  const mid = n >> 1
  return n % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2
}

/** The median and the least and greatest of some values, and how many of them were finite. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
  /** How many of the values were finite (the others are ignored). */
  readonly count: number
}

/** The {@link Spread} of `values`, ignoring non-finite ones; `NaN` figures and a count of 0 when none is finite. */
export const spread = (values: ReadonlyArray<number>): Spread => {
  const xs = values.filter(Number.isFinite)
  return xs.length === 0
    ? { median: NaN, min: NaN, max: NaN, count: 0 }
    : { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), count: xs.length }
}

/** `value / reference`, `NaN` when either is missing or the reference is 0. */
export const ratio = (value: number, reference: number): number =>
  Number.isFinite(value) && Number.isFinite(reference) && reference !== 0 ? value / reference : NaN

/**
 * The median of paired ratios: for each repetition i, `values[i] / references[i]`.
 * Pairing within a repetition cancels slow drifts of the machine.
 */
export const pairedRatio = (values: ReadonlyArray<number>, references: ReadonlyArray<number>): number =>
  median(values.map((v, i) => ratio(v, references[i] ?? NaN)))

/** `1.00x`, `12.3x`; `–` when unknown. */
export const formatRatio = (r: number): string => {
  if (!Number.isFinite(r)) return "–"
  if (r >= 10) return `${r.toFixed(1)}x`
  return `${r.toFixed(2)}x`
}

/** An integer with thousands separators (`12,345`); `–` when unknown. */
export const formatInt = (n: number): string => {
  if (!Number.isFinite(n)) return "–"
  const s = String(Math.round(Math.abs(n)))
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  return n < 0 ? `-${grouped}` : grouped
}

/** A duration given in microseconds: `85 µs`, `1.24 ms`, `12.4 ms`, `1.20 s`. */
export const formatMicros = (us: number): string => {
  if (!Number.isFinite(us)) return "–"
  if (us < 1000) return `${us < 10 ? us.toFixed(1) : Math.round(us)} µs`
  const ms = us / 1000
  if (ms < 10) return `${ms.toFixed(2)} ms`
  if (ms < 1000) return `${ms.toFixed(1)} ms`
  return `${(ms / 1000).toFixed(2)} s`
}

/** A size in bytes as MiB with one decimal, signed when `signed`. */
export const formatMiB = (bytes: number, signed = false): string => {
  if (!Number.isFinite(bytes)) return "–"
  const mib = bytes / (1024 * 1024)
  const text = `${Math.abs(mib).toFixed(1)} MiB`
  if (!signed) return mib < 0 ? `-${text}` : text
  return mib < 0 ? `-${text}` : `+${text}`
}

/** Whether a measured value meets a target (`<=` for costs, `>=` for throughput). */
export const meets = (value: number, target: number, direction: "at-most" | "at-least"): boolean | undefined =>
  Number.isFinite(value) ? (direction === "at-most" ? value <= target : value >= target) : undefined

/** The least-squares slope of `y` over `x` (0 when all `x` are equal; NaN with no point). */
export const slope = (points: ReadonlyArray<{ readonly x: number; readonly y: number }>): number => {
  const n = points.length
  if (n === 0) return NaN
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0)
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}

/** A Markdown table row. */
export const mdRow = (cells: ReadonlyArray<string>): string => `| ${cells.join(" | ")} |`

/**
 * `xs` started at its `by`-th item and wrapped around: the order of run `by`
 * when runs rotate their clients, so none always runs first or last.
 */
export const rotated = <A>(xs: ReadonlyArray<A>, by: number): Array<A> => xs.map((_, i) => xs[(i + by) % xs.length]!)
