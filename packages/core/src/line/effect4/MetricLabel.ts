/**
 * A metric label on the Effect 4 line, where labels are a metric update's
 * attributes (`key` → `value`); `updateMetric` in `unsafe` applies them.
 * See docs/design.md, "Two Effect lines".
 *
 * @internal
 */

/** @internal */
export interface MetricLabel {
  readonly key: string
  readonly value: string
}

/** @internal */
export const make = (key: string, value: string): MetricLabel => ({ key, value })
