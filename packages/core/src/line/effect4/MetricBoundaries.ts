/**
 * Histogram boundaries on the Effect 4 line (plain arrays, built by
 * `effect/Metric`), under their Effect 3 module's names. See docs/design.md,
 * "Two Effect lines".
 *
 * @internal
 */
import * as Metric from "effect/Metric"

/** @internal */
export type MetricBoundaries = ReadonlyArray<number>

/** @internal */
export const exponential: (
  options: { readonly start: number; readonly factor: number; readonly count: number }
) => MetricBoundaries = Metric.exponentialBoundaries

/** @internal */
export const fromIterable: (iterable: Iterable<number>) => MetricBoundaries = Metric.boundariesFromIterable
