/**
 * One deadline scheduler per client: a fiber that sleeps on Effect's `Clock`
 * until the nearest deadline of any request, then lets that request expire.
 *
 * Requests do not fork a fiber or start a timer of their own: they put one
 * entry in a binary min-heap and take it out when they finish. Keys are
 * allowed to be early (a request that moved to a later phase keeps its old,
 * earlier key); when such an entry comes due the request recomputes its real
 * due time and is queued again. So a phase change costs nothing unless it
 * moves the due time earlier.
 *
 * @internal
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import { afterCurrentRun, completeDeferred, currentTimeMillis, makeDeferred } from "#line/unsafe"
import type * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"

/**
 * A clock may also offer a timer: `clock[TimerTypeId](ms, wake)` calls
 * `wake` once the clock has moved `ms` on and returns a function that
 * cancels it. The testkit's virtual clock does (it is keyed by `Symbol.for`,
 * so it needs no import from core). With it the scheduler waits for "the
 * nearest deadline or an earlier one" in one callback, instead of racing a
 * `sleep` fiber against a wake-up fiber on every wait.
 *
 * @internal
 */
export const TimerTypeId: unique symbol = Symbol.for("@steadfast/core/Clock/timer") as never

type Timer = (ms: number, wake: () => void) => () => void

/** @internal */
export interface Timed {
  /** Position in the heap, -1 when not queued. */
  heapIndex: number
  /** Heap key: never later than the real due time. */
  dueAt: number
  /**
   * Called when `dueAt` has passed. Returns the next due time, or `Infinity`
   * when the entry should leave the heap.
   */
  onDue(now: number): number
}

/** @internal */
export class DeadlineScheduler {
  private readonly heap: Array<Timed> = []
  /** What the loop currently sleeps toward (`Infinity`: parked). */
  private wakeAt = Infinity
  /** Ends the loop's current wait (set while it waits). */
  private wake: (() => void) | undefined = undefined
  private readonly timer: Timer | undefined

  constructor(readonly clock: Clock.Clock) {
    const timer = (clock as { readonly [TimerTypeId]?: Timer })[TimerTypeId]
    this.timer = typeof timer === "function" ? timer.bind(clock) : undefined
  }

  get size(): number {
    return this.heap.length
  }

  /** Queues `t` to come due at `at` (no-op when it is queued for earlier). */
  schedule(t: Timed, at: number): void {
    if (at === Infinity) return
    if (t.heapIndex < 0) {
      t.dueAt = at
      t.heapIndex = this.heap.length
      this.heap.push(t)
      this.up(t.heapIndex)
    } else if (at < t.dueAt) {
      t.dueAt = at
      this.up(t.heapIndex)
    } else {
      return
    }
    if (at < this.wakeAt) this.wakeFor()
  }

  /** A wake-up is queued for after the current run (see {@link wakeFor}). */
  private wakeQueued = false

  /**
   * The loop must wait for an earlier due time than it does. When it waits
   * for nothing (parked), it is told after the current run of fibers (a
   * microtask on the Effect 3 line; at once on Effect 4, whose TestClock
   * moves without a turn of the event loop: `#line/unsafe`), and only if
   * the heap still asks for it: an attempt that ended
   * before then (an in-memory transport answers at once) took its entry out
   * again, and waking the loop to find the heap empty would cost a fiber
   * step and a new wait each time.
   */
  private wakeFor(): void {
    if (this.wakeAt !== Infinity) return this.poke()
    if (this.wakeQueued) return
    this.wakeQueued = true
    afterCurrentRun(this.wakeIfDue)
  }

  private readonly wakeIfDue = (): void => {
    this.wakeQueued = false
    if (this.heap.length > 0 && this.heap[0]!.dueAt < this.wakeAt) this.poke()
  }

  cancel(t: Timed): void {
    const i = t.heapIndex
    if (i < 0) return
    t.heapIndex = -1
    const last = this.heap.pop()!
    if (i < this.heap.length) {
      this.heap[i] = last
      last.heapIndex = i
      this.down(i)
      this.up(last.heapIndex)
    }
  }

  private poke(): void {
    const w = this.wake
    if (w !== undefined) {
      this.wake = undefined
      w()
    }
  }

  private fireDue(now: number): void {
    const heap = this.heap
    while (heap.length > 0 && heap[0]!.dueAt <= now) {
      const t = heap[0]!
      this.cancel(t)
      const next = t.onDue(now)
      if (next !== Infinity && t.heapIndex < 0) {
        this.schedule(t, next)
      }
    }
  }

  /** The scheduler loop; run it in a fiber scoped to the client. */
  readonly run: Effect.Effect<never> = Effect.suspend(() => {
    const now = currentTimeMillis(this.clock)
    this.fireDue(now)
    const next = this.heap.length > 0 ? this.heap[0]!.dueAt : Infinity
    this.wakeAt = next
    const timer = this.timer
    if (timer !== undefined && next !== Infinity && next > now) return this.waitWith(timer, next - now)
    const wake = makeDeferred<void>()
    this.wake = () => completeDeferred(wake, Exit.void)
    if (next === Infinity) return Deferred.await(wake)
    return Effect.raceFirst(this.clock.sleep(Duration.millis(Math.max(0, next - now))), Deferred.await(wake))
  }).pipe(Effect.forever)

  /** Waits `ms` on the clock's timer, or until poked, whichever comes first. */
  private waitWith(timer: Timer, ms: number): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      let done = false
      // set once the timer is armed (the timer never calls back synchronously, but `stop` would cope)
      const armed: { cancel?: () => void } = {}
      const stop = () => {
        done = true
        if (this.wake === finish) this.wake = undefined
        armed.cancel?.()
      }
      const finish = () => {
        if (done) return
        stop()
        resume(Effect.void)
      }
      this.wake = finish
      armed.cancel = timer(ms, finish)
      return Effect.sync(() => {
        if (!done) stop()
      })
    })
  }

  private up(i: number): void {
    const heap = this.heap
    const t = heap[i]!
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = heap[p]!
      if (parent.dueAt <= t.dueAt) break
      heap[i] = parent
      parent.heapIndex = i
      i = p
    }
    heap[i] = t
    t.heapIndex = i
  }

  private down(i: number): void {
    const heap = this.heap
    const n = heap.length
    const t = heap[i]!
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && heap[r]!.dueAt < heap[l]!.dueAt ? r : l
      const child = heap[c]!
      if (t.dueAt <= child.dueAt) break
      heap[i] = child
      child.heapIndex = i
      i = c
    }
    heap[i] = t
    t.heapIndex = i
  }
}
