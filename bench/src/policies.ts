/**
 * The happy-path cost of the policies: the retry budget, on by default,
 * which every request pays once (its origin's account, one slot check, one
 * addition), and the opt-in ones (bulkhead, breaker, hedging) through a
 * client. Measured in process, as CPU time per request, against the same
 * loop without them.
 */
import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Breaker, Budget, Bulkhead, Client, Hedge, type Policy, type Transport } from "@steadfast/core"
import { Effect } from "effect"

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

/** The CPU cost per request of a client's opt-in policies on the happy path, against the same client without them. */
export interface PolicyCost {
  readonly requests: number
  /** Microseconds of CPU per request without policies (an in-memory transport that answers at once). */
  readonly baseUs: number
  /** Extra microseconds of CPU per request, by policy set. */
  readonly extraUs: ReadonlyArray<{ readonly policies: string; readonly us: number }>
}

/**
 * Sends `requests` GETs one after another through clients over an in-memory
 * transport that answers 204 at once (so no hedge ever starts and no
 * bulkhead queues; `execute`, so no body is read): what the bulkhead's slot, the breaker's bookkeeping and the
 * hedge's race cost on the happy path. Interleaved, best of three.
 */
export const policyCost = async (requests: number): Promise<PolicyCost> => {
  const transport: Transport.Transport = {
    tracksConnect: false,
    send: (request) => Effect.sync(() => HttpClientResponse.fromWeb(request, new Response(null, { status: 204 })))
  }
  const sets: ReadonlyArray<readonly [string, ReadonlyArray<Policy.Policy>]> = [
    ["none", []],
    ["bulkhead", [Bulkhead.make({ maxConcurrent: 64 })]],
    ["breaker", [Breaker.make()]],
    ["hedge (never fires)", [Hedge.make({ delay: "1 second" })]],
    ["breaker + bulkhead + hedge", [
      Breaker.make(),
      Bulkhead.make({ maxConcurrent: 64 }),
      Hedge.make({ delay: "1 second" })
    ]]
  ]
  const request = HttpClientRequest.get("http://127.0.0.1:8080/items")
  const run = (policies: ReadonlyArray<Policy.Policy>) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const client = yield* Client.makeWithTransport(transport, { policies, spans: false, metrics: false })
      const start = cpuNs()
      for (let i = 0; i < requests; i++) yield* client.execute(request)
      return cpuNs() - start
    })))
  const best = new Map<string, number>()
  for (let round = 0; round < 4; round++) {
    for (const [name, policies] of sets) {
      const ns = await run(policies)
      // the first round warms up
      if (round > 0) best.set(name, Math.min(best.get(name) ?? Infinity, ns))
    }
  }
  const base = best.get("none")! / requests / 1000
  return {
    requests,
    baseUs: base,
    extraUs: sets.slice(1).map(([name]) => ({ policies: name, us: best.get(name)! / requests / 1000 - base }))
  }
}
