// A timer the test runs by hand, for the `timer` option of the FaultServer
// and the FaultProxy: it records every delay they ask for and runs one only
// when the test says so. A test about a delay then asserts what was asked for
// and what the peers had received before and after it ran, never how long
// anything took on the wall clock.
import * as Effect from "@steadfast/core/line/Effect"
import type * as Timer from "../../src/Timer.js"
import { eventually } from "./faultServer.js"

interface Entry {
  readonly ms: number
  readonly due: number
  readonly f: () => void
  state: "pending" | "ran" | "cancelled"
}

/** A {@link Timer.Timer} whose time moves only when the test runs a timer or advances it. */
export interface ManualTimer extends Timer.Timer {
  /** Every delay asked for, in order of asking: pending, run or cancelled. */
  readonly requested: () => ReadonlyArray<number>
  /** The delays still pending, in order of asking. */
  readonly pending: () => ReadonlyArray<number>
  /**
   * Runs the pending timer due first (the first asked among equals) and
   * moves `now` to its due time; returns its delay. Throws when none is
   * pending.
   */
  readonly runNext: () => number
  /** Moves `now` on by `ms`, running every timer that falls due, in order. */
  readonly advance: (ms: number) => void
  /**
   * Waits until `count` timers are pending (what the server or proxy asks
   * for follows real socket events); false if not within 2 s.
   */
  readonly awaitPending: (count?: number) => Effect.Effect<boolean>
}

export const manualTimer = (start = 0): ManualTimer => {
  let now = start
  const entries: Array<Entry> = []
  const pendingEntries = () => entries.filter((e) => e.state === "pending")
  const first = (): Entry | undefined =>
    pendingEntries().reduce<Entry | undefined>(
      (best, e) => best === undefined || e.due < best.due ? e : best,
      undefined
    )
  const run = (entry: Entry) => {
    now = Math.max(now, entry.due)
    entry.state = "ran"
    entry.f()
  }
  return {
    now: () => now,
    later: (ms, f) => {
      const entry: Entry = { ms, due: now + ms, f, state: "pending" }
      entries.push(entry)
      return () => {
        if (entry.state === "pending") entry.state = "cancelled"
      }
    },
    requested: () => entries.map((e) => e.ms),
    pending: () => pendingEntries().map((e) => e.ms),
    runNext: () => {
      const entry = first()
      if (entry === undefined) throw new Error("manualTimer: no timer is pending")
      run(entry)
      return entry.ms
    },
    advance: (ms) => {
      const until = now + ms
      for (let entry = first(); entry !== undefined && entry.due <= until; entry = first()) run(entry)
      now = until
    },
    awaitPending: (count = 1) => eventually(() => pendingEntries().length >= count, 2_000)
  }
}
