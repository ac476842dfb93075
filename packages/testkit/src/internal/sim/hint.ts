/**
 * The hint printed when a test under a `TestClock` is interrupted (a test
 * runner's timeout interrupts the test's fiber) while fibers still wait for
 * virtual time that no `TestClock.adjust` brought: the usual cause of a test
 * that "times out" under `TestClock`. Each line's `virtualTime` reads its
 * clock into this shape.
 *
 * @internal
 */
import type { AttemptRecord } from "../../SimulatedNetwork.js"
import { formatRecord } from "./records.js"

/**
 * The hint for a clock read as `clock`, with the attempts still waiting.
 *
 * @internal
 */
export const missingAdjustHint = (clock: {
  /** The clock's time. */
  readonly now: number
  /** The instants at which fibers still wait, earliest first. */
  readonly sleeping: ReadonlyArray<number>
  /** The waits cancelled (the test's interruption cancels them before anyone can look), and the earliest. */
  readonly cancelled: { readonly count: number; readonly earliest: number }
  /** Whether the clock was ever adjusted or set. */
  readonly adjusted: boolean
  /** The network's attempts (those still waiting, or cut off by the interruption, are listed). */
  readonly records: ReadonlyArray<AttemptRecord>
}): string => {
  const { adjusted, cancelled, now, records, sleeping } = clock
  const pending = records.filter((r) =>
    r.outcome._tag === "Pending" || (r.outcome._tag === "Aborted" && r.outcome.reason === "Interrupted")
  )
  const count = sleeping.length + cancelled.count
  const earliestAt = Math.min(sleeping[0] ?? Infinity, cancelled.earliest)
  const at = count === 0 ? undefined : earliestAt
  const earliest = at === undefined ? "" : `, the earliest until ${at === Infinity ? "never" : `+${at - now} ms`}`
  const cause = adjusted
    ? `the TestClock stands at ${now} ms and was not adjusted far enough`
    : "TestClock.adjust was never called"
  const attempts = pending.length === 0
    ? ""
    : `\nAttempts still waiting:${pending.slice(0, 5).map((r) => `\n  ${formatRecord(r)}`).join("")}` +
      (pending.length > 5 ? `\n  … and ${pending.length - 5} more` : "")
  return `steadfast testkit: the test was interrupted (did it time out?) while ${count} fiber(s) waited ` +
    `for virtual time${earliest}, and ${cause}. Under TestClock, time moves only when the test moves it: fork the ` +
    `code under test, call TestClock.adjust (e.g. TestClock.adjust("1 minute")), then Fiber.join.${attempts}`
}
