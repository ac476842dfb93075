/**
 * The circuit breaker's state machine, per key: pure, no Effect API, no
 * clock of its own (every method takes `now`, the client's `Clock` time in
 * ms), so it is exact under `TestClock` and testable on its own.
 *
 * ```
 * closed ──(consecutive failures, or failure ratio over the window)──> open
 * open ──(break duration over: the next request is a probe)──> half-open
 * half-open ──(every probe succeeded)──> closed
 * half-open ──(a probe failed)──> open (the break duration grows: the schedule's next step)
 * ```
 *
 * The break duration comes from a `Schedule` stepped by the caller (an
 * effect): an opened machine has `openUntil` undefined until `setBreak`.
 *
 * @internal
 */

/** @internal */
export type State = "closed" | "open" | "half-open"

/** The numbers of a breaker. @internal */
export interface Settings {
  /** Open after this many failures in a row (`Infinity`: never by count). */
  readonly consecutiveFailures: number
  /** Open when failures / calls in the window reach this (`Infinity`: never by ratio). */
  readonly failureRatio: number
  readonly windowMs: number
  /** Calls the window needs before the ratio counts. */
  readonly minThroughput: number
  /** Probes let through in half-open; that many successes close it. */
  readonly probes: number
}

/** A state change. @internal */
export interface Transition {
  readonly from: State
  readonly to: State
  readonly at: number
  /** What opened it (for `to: "open"`). */
  readonly cause?: string | undefined
}

/** What `admit` answered. @internal */
export type Admission =
  | { readonly _tag: "Admit"; readonly probe: boolean; readonly transition?: Transition | undefined }
  | {
    readonly _tag: "Reject"
    readonly state: "open" | "half-open"
    /** Until the next probe may go; `undefined` while the break duration is being computed. */
    readonly retryInMs: number | undefined
    readonly openedBy: string | undefined
  }

const SLOTS = 10

/** One key's breaker. @internal */
export class Machine {
  state: State = "closed"
  /** Failures in a row (closed). */
  consecutive = 0
  /** Times it opened without closing in between (the break schedule's input). */
  opens = 0
  openedAt = 0
  openUntil: number | undefined = undefined
  openedBy: string | undefined = undefined
  /** Probes admitted in half-open, and the owners still out. */
  private readonly probesOut = new Set<object>()
  private probeSuccesses = 0
  /** The break schedule's state for this key (kept by the caller). */
  scheduleState: unknown = undefined
  scheduleStepped = false
  /** The last break duration (a finished schedule keeps it). */
  lastBreakMs = 0
  private readonly calls: Array<number> = new Array<number>(SLOTS).fill(0)
  private readonly failures: Array<number> = new Array<number>(SLOTS).fill(0)
  private callsSum = 0
  private failuresSum = 0
  private current = 0
  private slotStart: number
  private readonly slotMs: number

  constructor(private readonly settings: Settings, now: number) {
    this.slotMs = Math.max(1, settings.windowMs / SLOTS)
    this.slotStart = now
  }

  private roll(now: number): void {
    if (now < this.slotStart + this.slotMs) return
    const steps = Math.floor((now - this.slotStart) / this.slotMs)
    if (steps >= SLOTS) {
      this.calls.fill(0)
      this.failures.fill(0)
      this.callsSum = 0
      this.failuresSum = 0
    } else {
      for (let i = 0; i < steps; i++) {
        this.current = (this.current + 1) % SLOTS
        this.callsSum -= this.calls[this.current]!
        this.failuresSum -= this.failures[this.current]!
        this.calls[this.current] = 0
        this.failures[this.current] = 0
      }
    }
    this.slotStart += steps * this.slotMs
  }

  private resetCounts(): void {
    this.calls.fill(0)
    this.failures.fill(0)
    this.callsSum = 0
    this.failuresSum = 0
    this.consecutive = 0
  }

  /** Before an attempt by `owner` (the request). */
  admit(owner: object, now: number): Admission {
    if (this.state === "closed") return ADMIT
    if (this.state === "open") {
      if (this.openUntil === undefined || now < this.openUntil) {
        return {
          _tag: "Reject",
          state: "open",
          retryInMs: this.openUntil === undefined ? undefined : this.openUntil - now,
          openedBy: this.openedBy
        }
      }
      this.state = "half-open"
      this.probesOut.clear()
      this.probeSuccesses = 0
      this.probesOut.add(owner)
      return { _tag: "Admit", probe: true, transition: { from: "open", to: "half-open", at: now } }
    }
    if (this.probesOut.has(owner)) return PROBE
    if (this.probesOut.size + this.probeSuccesses < this.settings.probes) {
      this.probesOut.add(owner)
      return PROBE
    }
    return { _tag: "Reject", state: "half-open", retryInMs: 0, openedBy: this.openedBy }
  }

  /** An attempt of `owner` ended: `failure` is what opened it when it counts as one, else `undefined`. */
  observe(owner: object, failure: string | undefined, now: number): Transition | undefined {
    if (this.state === "half-open") {
      if (!this.probesOut.delete(owner)) return undefined // an attempt admitted before it opened
      if (failure !== undefined) return this.open(failure, now, "half-open")
      if (++this.probeSuccesses < this.settings.probes) return undefined
      this.state = "closed"
      this.opens = 0
      this.scheduleStepped = false
      this.scheduleState = undefined
      this.resetCounts()
      return { from: "half-open", to: "closed", at: now }
    }
    if (this.state === "open") return undefined // an attempt admitted before it opened
    this.roll(now)
    this.calls[this.current]!++
    this.callsSum++
    if (failure === undefined) {
      this.consecutive = 0
      return undefined
    }
    this.failures[this.current]!++
    this.failuresSum++
    this.consecutive++
    if (this.consecutive >= this.settings.consecutiveFailures) return this.open(failure, now, "closed")
    if (
      this.callsSum >= this.settings.minThroughput && this.failuresSum / this.callsSum >= this.settings.failureRatio
    ) return this.open(failure, now, "closed")
    return undefined
  }

  /** A probe's request ended without an outcome (interrupted, or refused by a later policy). */
  release(owner: object): void {
    this.probesOut.delete(owner)
  }

  private open(cause: string, now: number, from: State): Transition {
    this.state = "open"
    this.opens++
    this.openedAt = now
    this.openUntil = undefined
    this.openedBy = cause
    this.probesOut.clear()
    this.probeSuccesses = 0
    this.resetCounts()
    return { from, to: "open", at: now, cause }
  }

  /** The break duration of the current opening is known: `ms` from when it opened. */
  setBreak(ms: number): void {
    if (this.state === "open" && this.openUntil === undefined) this.openUntil = this.openedAt + Math.max(0, ms)
  }

  /** Calls and failures in the window now. */
  counts(now: number): { readonly calls: number; readonly failures: number } {
    this.roll(now)
    return { calls: this.callsSum, failures: this.failuresSum }
  }
}

const ADMIT: Admission = { _tag: "Admit", probe: false }
const PROBE: Admission = { _tag: "Admit", probe: true }
