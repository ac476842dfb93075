/**
 * `effect/Metric` for the Effect 4 line, with `histogram` in its Effect 3
 * spelling: `histogram(name, boundaries, description)` (Effect 4: one
 * options object) and `tagged` (Effect 4: `withAttributes`). Labels are Effect 4's attributes (see `MetricLabel`, and
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

/** `self` with one more attribute `key = value` (Effect 3's `Metric.tagged`; `withAttributes` on Effect 4). @internal */
export const tagged = <In, Out>(self: Metric.Metric<In, Out>, key: string, value: string): Metric.Metric<In, Out> =>
  Metric.withAttributes(self, { [key]: value })

/** `self` with `labels` as its attributes (Effect 3: `Metric.taggedWithLabels`). @internal */
export const taggedWithLabels = <In, Out>(
  self: Metric.Metric<In, Out>,
  labels: ReadonlyArray<{ readonly key: string; readonly value: string }>
): Metric.Metric<In, Out> => Metric.withAttributes(self, Object.fromEntries(labels.map((l) => [l.key, l.value])))
