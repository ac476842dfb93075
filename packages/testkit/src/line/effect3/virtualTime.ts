/**
 * The simulated network's virtual time on the Effect 3 line (see
 * docs/design.md, "Two Effect lines"): a `TestClock` that advances in
 * microseconds of real time per wake-up instead of milliseconds.
 *
 * Effect's own `TestClock`, after waking each sleeping fiber, waits for every
 * fiber to suspend again by yielding to the event loop three times with
 * `setTimeout(0)` (at least a millisecond each), and re-sorts every pending
 * sleep. A chaos run with thousands of distinct backoff and timeout instants
 * spends almost all of its real time there. This clock answers the same
 * question — "has every fiber of the test stopped?" — by counting the tasks
 * the Effect scheduler has queued and not yet run, checked after one
 * `setImmediate` (when promise and microtask chains have drained): sound for
 * every fiber running under it, and about a thousand times cheaper. Sleeps
 * wait in a binary heap keyed by (instant, order of arrival).
 *
 * `SimulatedNetwork.layer` installs it (with the counting scheduler, see
 * {@link virtualTime}) when it is built under a `TestClock`, starting at that
 * clock's time, so `TestClock.adjust`, `TestClock.setTime`, `Effect.sleep`
 * and `Clock` in the test all use it. Effect 4's own `TestClock` already
 * waits on its scheduler's queue this way, so the Effect 4 line has no
 * virtual clock of its own (`src/line/effect4/virtualTime.ts`).
 *
 * @internal
 */
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import type * as TestClock from "effect/TestClock"
import { missingAdjustHint } from "../../internal/sim/hint.js"
import type { AttemptRecord } from "../../SimulatedNetwork.js"
import { CountingScheduler } from "./virtualTime/scheduler.js"

/** Core's key for a clock's timer (`Symbol.for`, so the testkit needs no import from core's internals). */
const TimerSymbol = Symbol.for("@steadfast/core/Clock/timer")

interface Sleeper {
  readonly at: number
  readonly seq: number
  readonly wake: () => void
  live: boolean
}

const before = (a: Sleeper, b: Sleeper): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq)

/** Whether a clock is a `TestClock` (Effect's, or another one like this). */
export const isTestClock = (clock: Clock.Clock): clock is TestClock.TestClock => {
  const c = clock as Partial<TestClock.TestClock>
  return typeof c.adjust === "function" && typeof c.setTime === "function" && c.sleeps !== undefined
}

export class VirtualClock implements TestClock.TestClock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  private instant: number
  private heap: Array<Sleeper> = []
  private dead = 0
  private seq = 0
  /** Whether the clock was ever adjusted or set. */
  adjusted = false
  /** Live sleepers. */
  waiting = 0
  /** Adjustments running. */
  private adjusting = 0
  /**
   * The instants of waits cancelled while no adjustment ran, since the last
   * adjustment began: when a test is interrupted, its waits are cancelled
   * before anyone can look, and these say what they were waiting for.
   */
  cancelledWaits = { count: 0, earliest: Infinity }
  /** The bridge to an outer TestClock (see {@link follow}), told when the earliest wait may have changed. */
  private onChange: (() => void) | undefined = undefined

  constructor(
    start: number,
    readonly scheduler: CountingScheduler
  ) {
    this.instant = start
  }

  unsafeCurrentTimeMillis(): number {
    return this.instant
  }

  unsafeCurrentTimeNanos(): bigint {
    return BigInt(Math.floor(this.instant * 1_000_000))
  }

  readonly currentTimeMillis: Effect.Effect<number> = Effect.sync(() => this.instant)

  readonly currentTimeNanos: Effect.Effect<bigint> = Effect.sync(() => this.unsafeCurrentTimeNanos())

  /** The instants at which fibers wait, earliest first. */
  pendingInstants(): ReadonlyArray<number> {
    return this.heap.filter((s) => s.live).sort((a, b) => before(a, b) ? -1 : 1).map((s) => s.at)
  }

  /**
   * Calls `wake` once the clock reaches now + `ms` (`Infinity`: never);
   * returns a function that cancels it. For waits that end on something
   * else as well (an abort), without a fiber per wait.
   */
  schedule(ms: number, wake: () => void): () => void {
    const sleeper: Sleeper = { at: this.instant + ms, seq: this.seq++, wake, live: true }
    this.push(sleeper)
    this.waiting++
    // an earlier wait outside an adjustment: the bridge re-reads the next instant
    if (this.adjusting === 0 && this.onChange !== undefined && this.heap[0] === sleeper) this.changed()
    return () => {
      if (sleeper.live) {
        sleeper.live = false
        if (this.adjusting === 0) {
          this.cancelledWaits.count++
          if (sleeper.at < this.cancelledWaits.earliest) this.cancelledWaits.earliest = sleeper.at
        }
        this.waiting--
        this.dead++
        if (this.dead > 64 && this.dead * 2 > this.heap.length) this.compact()
      }
    }
  }

  /**
   * The timer core's deadline scheduler looks for on a clock (see
   * `TimerTypeId` in core's internal/scheduler.ts): {@link schedule}, so it
   * waits for the nearest deadline without a fiber per wait.
   */
  [TimerSymbol](ms: number, wake: () => void): () => void {
    return this.schedule(ms, wake)
  }

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    const ms = Duration.toMillis(duration)
    if (!(ms > 0)) return Effect.void
    return Effect.async<void>((resume) => {
      const cancel = this.schedule(ms, () => resume(Effect.void))
      return Effect.sync(cancel)
    })
  }

  readonly sleeps: Effect.Effect<Chunk.Chunk<number>> = Effect.sync(() => Chunk.fromIterable(this.pendingInstants()))

  get save(): Effect.Effect<Effect.Effect<void>> {
    return Effect.sync(() => {
      const saved = this.instant
      return Effect.sync(() => {
        this.instant = saved
      })
    })
  }

  adjust(duration: Duration.DurationInput): Effect.Effect<void> {
    return Effect.suspend(() => this.runTo(this.instant + Duration.toMillis(Duration.decode(duration))))
  }

  adjustWith(duration: Duration.DurationInput) {
    return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.zipLeft(effect, this.adjust(duration), { concurrent: true })
  }

  setTime(time: number): Effect.Effect<void> {
    return Effect.suspend(() => this.runTo(time))
  }

  /**
   * Wakes every sleeper due up to `target`, in order of (instant, arrival),
   * those of one instant together, waiting after each instant until every
   * fiber under the counting scheduler has stopped; then sets the time to
   * `target`.
   */
  private runTo(target: number): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      this.adjusted = true
      this.adjusting++
      this.cancelledWaits = { count: 0, earliest: Infinity }
      let cancelled = false
      const done = () => {
        cancelled = true
        this.adjusting--
        this.changed()
        resume(Effect.void)
      }
      const step = () =>
        this.whenIdle(() => {
          if (cancelled) return
          const next = this.peek()
          if (next === undefined || next.at > target) {
            // another adjustment may have run further already
            if (target > this.instant) this.instant = target
            return done()
          }
          this.instant = next.at
          while (true) {
            const s = this.peek()
            if (s === undefined || s.at !== next.at) break
            this.pop()
            s.live = false
            this.waiting--
            s.wake()
          }
          step()
        })
      step()
      return Effect.sync(() => {
        if (!cancelled) this.adjusting--
        cancelled = true
      })
    })
  }

  /** The instant of the earliest wait (`Infinity`: none). */
  nextInstant(): number {
    return this.peek()?.at ?? Infinity
  }

  /** Registers the one listener told when the earliest wait may have changed (`undefined` removes it). */
  watch(listener: (() => void) | undefined): void {
    this.onChange = listener
  }

  private changed(): void {
    const listener = this.onChange
    this.onChange = undefined
    listener?.()
  }

  /** Calls `f` once, after a turn of the event loop, when no task is queued under the scheduler. */
  private whenIdle(f: () => void): void {
    const check = () => {
      if (this.scheduler.pending > 0) setImmediate(check)
      else f()
    }
    setImmediate(check)
  }

  // -- the heap ---------------------------------------------------------------

  /** The earliest live sleeper (dropping dead ones on top). */
  private peek(): Sleeper | undefined {
    while (this.heap.length > 0 && !this.heap[0]!.live) {
      this.pop()
      this.dead--
    }
    return this.heap[0]
  }

  private push(s: Sleeper): void {
    const heap = this.heap
    let i = heap.length
    heap.push(s)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(s, heap[p]!)) break
      heap[i] = heap[p]!
      i = p
    }
    heap[i] = s
  }

  private pop(): void {
    const heap = this.heap
    const last = heap.pop()!
    if (heap.length === 0) return
    const n = heap.length
    let i = 0
    while (true) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && before(heap[r]!, heap[l]!) ? r : l
      if (!before(heap[c]!, last)) break
      heap[i] = heap[c]!
      i = c
    }
    heap[i] = last
  }

  /** Rebuilds the heap without the dead sleepers. */
  private compact(): void {
    const live = this.heap.filter((s) => s.live)
    this.heap = []
    this.dead = 0
    for (const s of live) this.push(s)
  }
}

/**
 * Keeps `virtual` up with the `TestClock` it replaced: a test may adjust
 * that outer clock from outside the layer (the layer provided inside the
 * forked program, `TestClock.adjust` called beside it). One fiber sleeps on
 * the outer clock until the earliest virtual wait; when the outer clock
 * passes the virtual time, the virtual clock is run up to it. Waits made
 * during a virtual adjustment do not wake it (that would cost an outer
 * sleep per wait): it re-reads the next instant when the adjustment ends.
 * Adjusting the virtual clock itself (the fast path) never moves the outer
 * one.
 *
 * @internal
 */
export const follow = (outer: TestClock.TestClock, virtual: VirtualClock): Effect.Effect<never> => {
  const changed = Effect.async<void>((resume) => {
    virtual.watch(() => resume(Effect.void))
    return Effect.sync(() => virtual.watch(undefined))
  })
  const loop = (): Effect.Effect<never> =>
    Effect.suspend(() => {
      const now = outer.unsafeCurrentTimeMillis()
      if (now > virtual.unsafeCurrentTimeMillis()) return Effect.flatMap(virtual.setTime(now), loop)
      const next = virtual.nextInstant()
      const wait = next === Infinity
        ? changed
        : Effect.raceFirst(outer.sleep(Duration.millis(next - now)), changed)
      return Effect.flatMap(wait, loop)
    })
  return loop()
}

/**
 * Under a `TestClock`: the layer that runs the simulated network's fibers on
 * a {@link VirtualClock} with the {@link CountingScheduler}, kept up with
 * the outer clock, and, when the test is interrupted while fibers wait for
 * virtual time, a warning with {@link missingAdjustHint} over `timeline`.
 * Under any other clock: no layer.
 *
 * @internal
 */
export const virtualTime = (timeline: Effect.Effect<ReadonlyArray<AttemptRecord>>): Layer.Layer<never> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const clock = yield* Effect.clock
    if (!isTestClock(clock)) return Layer.empty
    const scheduler = new CountingScheduler(yield* FiberRef.get(FiberRef.currentScheduler))
    const virtual = new VirtualClock(clock.unsafeCurrentTimeMillis(), scheduler)
    // a test may move the TestClock from outside the layer: follow it
    yield* Effect.forkScoped(follow(clock, virtual))
    yield* Effect.addFinalizer((exit) =>
      Exit.isInterrupted(exit) && (virtual.waiting > 0 || virtual.cancelledWaits.count > 0)
        ? Effect.flatMap(timeline, (records) =>
          Effect.sync(() =>
            console.warn(missingAdjustHint({
              now: virtual.unsafeCurrentTimeMillis(),
              sleeping: virtual.pendingInstants(),
              cancelled: virtual.cancelledWaits,
              adjusted: virtual.adjusted,
              records
            }))
          ))
        : Effect.void
    )
    return Layer.merge(Layer.setClock(virtual), Layer.setScheduler(scheduler))
  }))
