/**
 * The scheduler of the Effect 3 line's virtual clock (see ../virtualTime.ts).
 *
 * @internal
 */
import type * as Fiber from "effect/Fiber"
import * as Scheduler from "effect/Scheduler"

/**
 * The scheduler fibers run on under the virtual clock: Effect's own
 * (priority buckets, drained on the microtask queue) but falling back to
 * `setImmediate` rather than a 1 ms `setTimeout` after many drains in a row,
 * and counting the tasks queued and not yet run, so the clock can tell when
 * every fiber has stopped.
 */
export class CountingScheduler implements Scheduler.Scheduler {
  pending = 0
  private tasks = new Scheduler.PriorityBuckets()
  private running = false
  constructor(readonly inner: Scheduler.Scheduler) {}
  shouldYield(fiber: Fiber.RuntimeFiber<unknown, unknown>): number | false {
    return this.inner.shouldYield(fiber)
  }
  scheduleTask(task: Scheduler.Task, priority: number): void {
    this.pending++
    this.tasks.scheduleTask(task, priority)
    if (!this.running) {
      this.running = true
      this.starve(0)
    }
  }
  private starve(depth: number): void {
    if (depth >= 2048) setImmediate(() => this.drain(0))
    else Promise.resolve().then(() => this.drain(depth + 1))
  }
  private drain(depth: number): void {
    const buckets = this.tasks.buckets
    this.tasks.buckets = []
    for (const [, tasks] of buckets) {
      for (let i = 0; i < tasks.length; i++) {
        this.pending--
        tasks[i]!()
      }
    }
    if (this.tasks.buckets.length === 0) this.running = false
    else this.starve(depth)
  }
}
