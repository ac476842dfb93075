/**
 * `effect/Metric` for the Effect 4 line, with `histogram` in its Effect 3
 * spelling: `histogram(name, boundaries, description)` (Effect 4: one
 * options object). Labels are Effect 4's attributes (see `MetricLabel`, and
 * `updateMetric` in `unsafe`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Metric from "effect/Metric"

export * from "effect/Metric"

/** @internal */
export const histogram = (
  name: string,
  boundaries: ReadonlyArray<number>,
  description?: string
): Metric.Histogram<number> =>
  Metric.histogram(name, { boundaries, ...(description === undefined ? {} : { description }) })
