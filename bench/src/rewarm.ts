/**
 * How every measured sample of the bench starts: a full GC forced, so one
 * client's garbage is not billed to the next, then an unmeasured re-warm of
 * the same client on the same path at the sample's concurrency, so the
 * sample starts from the steady state the GC left.
 *
 * A forced full GC deoptimises the optimised code that holds objects it
 * found dead ("weak objects"), and V8 then recompiles it over the next few
 * thousand requests: without the re-warm a sample measured that (steadfast's
 * happy path at 2.3–2.5x its CPU per request without the GC, raw undici's at
 * 1.2–1.4x), which a user's steady state pays far less often. The count is
 * the least that brought the CPU per request back to the level without the
 * GC (bench/PROFILES.md, "A forced GC, then a re-warm"). Shared by both
 * Effect lines: imports nothing line-specific.
 */
import type { Bound } from "./load.js"
import { formatInt } from "./stats.js"

/** Requests of re-warm after each forced GC: full runs, and `--quick` (the CI smoke run, which only checks the bench runs). */
export const REWARM_REQUESTS = { full: 4000, quick: 500 } as const

/** The re-warm's time bound: only a safety net, the re-warm ends by its count. */
export const REWARM_MAX_MS = 30_000

/**
 * The re-warm's bound: `requests` when given (`--rewarm N`; 0 turns the
 * re-warm off, as the bench ran before it), else the count for the run's
 * kind. Bad counts (negative, fractional, not a number) are refused with a
 * hint.
 */
export const rewarmBound = (quick: boolean, requests?: number): Bound => {
  const count = requests ?? (quick ? REWARM_REQUESTS.quick : REWARM_REQUESTS.full)
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`the re-warm takes a whole number of requests >= 0 (got ${count}), e.g. ${REWARM_REQUESTS.full}`)
  }
  return { maxRequests: count, maxMs: REWARM_MAX_MS }
}

/** The method's words for the re-warm, for RESULTS.md and the console. */
export const describeRewarm = (rewarm: Bound): string =>
  rewarm.maxRequests === 0
    ? "a GC is forced before each run (no re-warm)"
    : `a GC is forced before each run, then ${
      formatInt(rewarm.maxRequests)
    } requests of the same client on the same path, unmeasured, re-warm the code the GC deoptimised`

/**
 * One measured sample: `gc()`, then `drive(rewarm)` unmeasured (skipped
 * for a count of 0), then `drive(bound)`, whose result is the sample.
 * `drive` is the same client and path as the sample's.
 */
export const measuredSample = async <S>(
  gc: () => void,
  rewarm: Bound,
  drive: (bound: Bound) => Promise<S>,
  bound: Bound
): Promise<S> => {
  gc()
  if (rewarm.maxRequests > 0) await drive(rewarm)
  return drive(bound)
}
