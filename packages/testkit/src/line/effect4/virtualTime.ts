/**
 * The simulated network's virtual time on the Effect 4 line (see
 * docs/design.md, "Two Effect lines"): Effect 4's own `TestClock`, watched.
 * Effect 4's `TestClock` already does what the Effect 3 line's virtual clock
 * adds to Effect 3's (after waking a sleeper it waits for the fibers it
 * scheduled by counting their queued tasks, no `setTimeout` round trips), so
 * the layer keeps it and only wraps it in a {@link WatchedClock}: the same
 * clock, which also keeps the instants its fibers wait for, so that a test
 * interrupted while they wait (a test runner's timeout) is told what it
 * forgot, as on the Effect 3 line (`internal/sim/hint.ts`).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as TestClock from "effect/testing/TestClock"
import { missingAdjustHint } from "../../internal/sim/hint.js"
import type { AttemptRecord } from "../../SimulatedNetwork.js"

/** Whether a clock is a `TestClock` (Effect 4's, or another one like it). */
const isTestClock = (clock: Clock.Clock): clock is TestClock.TestClock => {
  const c = clock as Partial<TestClock.TestClock>
  return typeof c.adjust === "function" && typeof c.setTime === "function" && typeof c.withLive === "function"
}

interface Wait {
  readonly at: number
}

/**
 * A `TestClock` that is `inner` (every call goes to it) and keeps the
 * instants its sleeps wait for, the waits cancelled while no adjustment
 * ran, and whether it was ever adjusted or set.
 *
 * @internal
 */
export class WatchedClock implements TestClock.TestClock {
  private readonly waits = new Set<Wait>()
  private adjusting = 0
  private readonly start: number
  private moved = false
  /** The waits cancelled while no adjustment ran, since the last adjustment began. */
  cancelledWaits = { count: 0, earliest: Infinity }

  constructor(readonly inner: TestClock.TestClock) {
    this.start = inner.currentTimeMillisUnsafe()
  }

  currentTimeMillisUnsafe(): number {
    return this.inner.currentTimeMillisUnsafe()
  }
  get currentTimeMillis(): Effect.Effect<number> {
    return this.inner.currentTimeMillis
  }
  currentTimeNanosUnsafe(): bigint {
    return this.inner.currentTimeNanosUnsafe()
  }
  get currentTimeNanos(): Effect.Effect<bigint> {
    return this.inner.currentTimeNanos
  }
  monotonicTimeNanosUnsafe(): bigint {
    return this.inner.monotonicTimeNanosUnsafe()
  }
  get monotonicTimeNanos(): Effect.Effect<bigint> {
    return this.inner.monotonicTimeNanos
  }
  withLive<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return this.inner.withLive(effect)
  }

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.suspend(() => {
      const wait: Wait = { at: this.inner.currentTimeMillisUnsafe() + Duration.toMillis(duration) }
      this.waits.add(wait)
      return Effect.onExit(this.inner.sleep(duration), (exit) =>
        Effect.sync(() => {
          this.waits.delete(wait)
          if (Exit.isFailure(exit) && this.adjusting === 0) {
            this.cancelledWaits.count++
            if (wait.at < this.cancelledWaits.earliest) this.cancelledWaits.earliest = wait.at
          }
        }))
    })
  }

  adjust(duration: Duration.Input): Effect.Effect<void> {
    return this.adjusted(this.inner.adjust(duration))
  }
  setTime(timestamp: number): Effect.Effect<void> {
    return this.adjusted(this.inner.setTime(timestamp))
  }
  private adjusted(move: Effect.Effect<void>): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.moved = true
      this.adjusting++
      this.cancelledWaits = { count: 0, earliest: Infinity }
      return Effect.ensuring(move, Effect.sync(() => this.adjusting--))
    })
  }

  /** The instants at which fibers wait, earliest first. */
  pendingInstants(): ReadonlyArray<number> {
    return Array.from(this.waits, (w) => w.at).sort((a, b) => a - b)
  }
  /** The instants at which fibers wait, earliest first (Effect 3's `TestClock.sleeps`). */
  get sleeps(): Effect.Effect<ReadonlyArray<number>> {
    return Effect.sync(() => this.pendingInstants())
  }
  /** Whether the clock was adjusted or set (here, or on the clock it watches from outside). */
  get wasAdjusted(): boolean {
    return this.moved || this.inner.currentTimeMillisUnsafe() !== this.start
  }
  /** Live and cancelled waits. */
  get waiting(): number {
    return this.waits.size + this.cancelledWaits.count
  }
}

/**
 * Under a `TestClock`: the layer that runs the simulated network's fibers on
 * a {@link WatchedClock} over it and, when the test is interrupted while
 * fibers wait for virtual time, warns with the missing-adjust hint over
 * `timeline`. Under any other clock: no layer. Same signature as the Effect
 * 3 line's.
 *
 * @internal
 */
export const virtualTime = (timeline: Effect.Effect<ReadonlyArray<AttemptRecord>>): Layer.Layer<never> =>
  Layer.unwrap(Effect.gen(function*() {
    const clock = yield* Effect.clockWith(Effect.succeed)
    if (!isTestClock(clock)) return Layer.empty
    const watched = new WatchedClock(clock)
    yield* Effect.addFinalizer((exit) =>
      Exit.hasInterrupts(exit) && watched.waiting > 0
        ? Effect.flatMap(timeline, (records) =>
          Effect.sync(() =>
            console.warn(missingAdjustHint({
              now: watched.currentTimeMillisUnsafe(),
              sleeping: watched.pendingInstants(),
              cancelled: watched.cancelledWaits,
              adjusted: watched.wasAdjusted,
              records
            }))
          ))
        : Effect.void
    )
    return Layer.succeed(Clock.Clock, watched)
  }))
