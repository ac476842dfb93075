/**
 * The happy-path cost of the policies that are on by default: today the
 * retry budget, which every request pays once (its origin's account, one
 * slot check, one addition). Measured in process, as CPU time per request,
 * against the same loop without the budget.
 */
import { Budget } from "@steadfast/core"

export interface BudgetCost {
  readonly requests: number
  /** CPU nanoseconds per request spent in the budget (its origin read included). */
  readonly nsPerRequest: number
}

const cpuNs = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) * 1000
}

/** Runs `requests` requests' worth of budget bookkeeping, on a url per request as the client does. */
export const budgetCost = (requests: number): BudgetCost => {
  const urls = Array.from({ length: 64 }, (_, i) => new URL(`http://127.0.0.1:8080/items/${i}`))
  const budget = Budget.make()
  let sink = 0
  const run = (withBudget: boolean): number => {
    const start = cpuNs()
    for (let i = 0; i < requests; i++) {
      const url = urls[i & 63]!
      // the clock advances 1 ms per 64 requests: the window slides as it would under load
      const now = i >> 6
      if (withBudget) budget.request(url.origin, now)
      else sink += now
    }
    return cpuNs() - start
  }
  run(true)
  run(false)
  const best = (withBudget: boolean) => Math.min(run(withBudget), run(withBudget), run(withBudget))
  const cost = Math.max(0, best(true) - best(false))
  if (sink < 0) throw new Error("unreachable")
  return { requests, nsPerRequest: cost / requests }
}
