/**
 * The retry budget's arithmetic: pure counters over a sliding window, no
 * Effect API, no clock of its own (the caller passes `now`, read from the
 * client's `Clock`, so it is exact under `TestClock`).
 *
 * Per key (an origin by default) an `Account` holds:
 * - a sliding window of `SLOTS` slots over `windowMs`: each request
 *   deposits `ratio` of a retry into the current slot, each retry paid from
 *   it withdraws one; deposits and withdrawals leave the window together
 *   (Finagle's `RetryBudget` keeps its balance the same way), so within any
 *   window retries ≤ ratio × requests;
 * - a floor: a bucket of `minPerSecond` retries that refills at
 *   `minPerSecond` per second, so a client with little traffic can still
 *   retry; over T seconds it adds at most `minPerSecond × (T + 1)`.
 *
 * Amounts are integers in thousandths of a retry, so `0.2 × 5` is exactly
 * one retry. The happy path (`deposit`) is a slot check and one addition.
 *
 * @internal
 */

/** Thousandths of a retry: one retry costs `UNIT`. @internal */
export const UNIT = 1000

/** Slots of the sliding window (a tenth of the window each). @internal */
export const SLOTS = 10

/** The most keys an account map keeps; the oldest is dropped past it. @internal */
export const MAX_KEYS = 1024

/** A budget's settings, in numbers. @internal */
export interface Settings {
  /** Retries per request, in thousandths (0.2 → 200). */
  readonly ratioUnits: number
  /** Floor retries per second. */
  readonly minPerSecond: number
  readonly windowMs: number
}

/** One key's balance. @internal */
export class Account {
  private readonly slots: Array<number> = new Array<number>(SLOTS).fill(0)
  private current = 0
  private slotStart: number
  private readonly slotMs: number
  /** The sum of the slots: deposits minus withdrawals within the window. */
  private credit = 0
  /** The floor's bucket, in units. */
  private tokens: number
  private refilledAt: number

  constructor(private readonly settings: Settings, now: number) {
    this.slotMs = Math.max(1, settings.windowMs / SLOTS)
    this.slotStart = now
    this.tokens = settings.minPerSecond * UNIT
    this.refilledAt = now
  }

  /** Slides the window to `now`: slots that fell out of it are emptied. */
  private roll(now: number): void {
    if (now < this.slotStart + this.slotMs) return
    const steps = Math.floor((now - this.slotStart) / this.slotMs)
    if (steps >= SLOTS) {
      this.slots.fill(0)
      this.credit = 0
    } else {
      for (let i = 0; i < steps; i++) {
        this.current = (this.current + 1) % SLOTS
        this.credit -= this.slots[this.current]!
        this.slots[this.current] = 0
      }
    }
    this.slotStart += steps * this.slotMs
  }

  private refill(now: number): void {
    const elapsed = now - this.refilledAt
    if (elapsed <= 0) return
    const cap = this.settings.minPerSecond * UNIT
    // minPerSecond retries per 1000 ms is minPerSecond units per ms
    this.tokens = Math.min(cap, this.tokens + elapsed * this.settings.minPerSecond)
    this.refilledAt = now
  }

  /** A request started: it adds `ratio` of a retry to the window. */
  deposit(now: number): void {
    this.roll(now)
    this.slots[this.current]! += this.settings.ratioUnits
    this.credit += this.settings.ratioUnits
  }

  /** A retry asks to go: paid from the window, else from the floor; `false` when neither has one. */
  withdraw(now: number): boolean {
    this.roll(now)
    if (this.credit >= UNIT) {
      this.slots[this.current]! -= UNIT
      this.credit -= UNIT
      return true
    }
    this.refill(now)
    if (this.tokens >= UNIT) {
      this.tokens -= UNIT
      return true
    }
    return false
  }

  /** Retries available now (window and floor), whole. */
  available(now: number): number {
    this.roll(now)
    this.refill(now)
    return Math.floor(Math.max(0, this.credit) / UNIT) + Math.floor(this.tokens / UNIT)
  }
}

/** Accounts by key, at most `MAX_KEYS` of them. @internal */
export class Accounts {
  private readonly byKey = new Map<string, Account>()
  /** The last key used and its account: most clients talk to one origin. */
  private lastKey: string | undefined = undefined
  private last: Account | undefined = undefined

  constructor(readonly settings: Settings) {}

  get(key: string, now: number): Account {
    if (key === this.lastKey) return this.last!
    let account = this.byKey.get(key)
    if (account === undefined) {
      if (this.byKey.size >= MAX_KEYS) {
        const oldest = this.byKey.keys().next().value as string
        this.byKey.delete(oldest)
      }
      account = new Account(this.settings, now)
      this.byKey.set(key, account)
    }
    this.lastKey = key
    this.last = account
    return account
  }
}
