/**
 * The time source of the FaultServer and the FaultProxy.
 *
 * Bytes on real sockets cannot wait on Effect's `Clock`: a latency toxic
 * holds a chunk that a real peer sent, in another process perhaps, and no
 * `TestClock` can hold it back. So the fault server and the proxy keep their
 * own time: every delay they apply (a response latency, a trickled body, a
 * connect latency, the grace before a mid-body reset, a latency, bandwidth,
 * slicer, slow-close, reset or timeout toxic) is one call to
 * {@link Timer.later}, and what they record (`Attempt.at`,
 * `Connection.at`) is {@link Timer.now}, floored to whole milliseconds.
 *
 * The default, {@link real}, is the wall clock. A test that is about a
 * delay can pass its own timer instead (the `timer` option of
 * `FaultServer.make` and `FaultProxy.make`): one that records each `later`
 * and runs it when the test says so. The test then asserts what was asked
 * for and in what order ("the proxy asked for a 150 ms timer; until it ran,
 * the client had received nothing"), on real sockets, instead of measuring
 * elapsed time on a busy machine.
 *
 * @example
 * ```ts
 * import type { Timer } from "@steadfast/testkit"
 *
 * // a timer the test runs by hand; running one moves the time to its due time
 * let now = 0
 * const held: Array<{ readonly due: number; readonly f: () => void }> = []
 * const timer: Timer.Timer = {
 *   now: () => now,
 *   later: (ms, f) => {
 *     const entry = { due: now + ms, f }
 *     held.push(entry)
 *     return () => {
 *       if (held.includes(entry)) held.splice(held.indexOf(entry), 1)
 *     }
 *   }
 * }
 * const runNext = () => {
 *   const entry = held.sort((a, b) => a.due - b.due).shift()
 *   if (entry === undefined) return
 *   now = Math.max(now, entry.due)
 *   entry.f()
 * }
 * // FaultServer.make(scenario, { timer }), FaultProxy.make({ upstream, timer })
 * ```
 *
 * @since 0.1.0
 */

/**
 * Cancels a timer set with {@link Timer.later}; does nothing once the timer
 * ran or was cancelled.
 *
 * @since 0.1.0
 */
export type Cancel = () => void

/**
 * What the fault server and the proxy read the time from and wait on.
 *
 * @since 0.1.0
 */
export interface Timer {
  /**
   * The current time, in epoch milliseconds. Delays are measured from it
   * (a latency toxic holds a chunk until `now()` reaches its arrival plus
   * the latency) and records are stamped with it. It must not go back.
   */
  readonly now: () => number
  /**
   * Calls `f` once, `ms` milliseconds from now (`ms` >= 0, at most
   * 2^31 - 1), unless cancelled first. `f` must not be called before
   * `later` returns, and when it runs `now()` must have reached the due
   * time (`now()` when `later` was called, plus `ms`): the proxy checks a
   * held chunk's time again when it wakes, and asks for another timer if it
   * is early.
   */
  readonly later: (ms: number, f: () => void) => Cancel
}

/**
 * The wall clock: `now` is a monotonic time in epoch milliseconds, with
 * fractions (`performance.timeOrigin + performance.now()`), `later` is
 * `setTimeout` / `clearTimeout`. Its timers keep the process alive, as the
 * sockets they delay do. The default of every `timer` option.
 *
 * @since 0.1.0
 */
export const real: Timer = {
  now: () => performance.timeOrigin + performance.now(),
  later: (ms, f) => {
    const timer = setTimeout(f, ms)
    return () => clearTimeout(timer)
  }
}
