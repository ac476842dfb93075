/**
 * The page side of the harness: what code bundled into a page calls to hand
 * its result to the test that opened it (`runPage` in `./harness.js`).
 */

/** The name of the function the harness exposes on `window`. */
export const REPORT_FUNCTION = "__steadfastReport"

/** Hands `value` (anything JSON can carry) to the harness. */
export const report = (value: unknown): void => {
  const target = (globalThis as unknown as Record<string, ((value: unknown) => void) | undefined>)[REPORT_FUNCTION]
  if (target === undefined) throw new Error(`${REPORT_FUNCTION} is missing: open this page with the harness`)
  target(value)
}
