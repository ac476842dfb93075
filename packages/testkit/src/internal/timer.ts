/**
 * A timer that remembers what it has pending, so the fault server and the
 * proxy can cancel all of it when they stop.
 *
 * @internal
 */
import type { Cancel, Timer } from "../Timer.js"

/** A {@link Timer} whose pending calls can all be cancelled at once. */
export interface Tracked extends Timer {
  /** Cancels every pending call; later calls can still be set. */
  readonly cancelAll: () => void
}

export const tracked = (timer: Timer): Tracked => {
  const pending = new Set<Cancel>()
  return {
    now: () => timer.now(),
    later: (ms, f) => {
      let done = false
      const cancelInner = timer.later(ms, () => {
        if (done) return
        done = true
        pending.delete(cancel)
        f()
      })
      const cancel: Cancel = () => {
        if (done) return
        done = true
        pending.delete(cancel)
        cancelInner()
      }
      pending.add(cancel)
      return cancel
    },
    cancelAll: () => {
      for (const cancel of [...pending]) cancel()
    }
  }
}
