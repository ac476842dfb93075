/**
 * The renderings of the figures besides the main table: the cost of one
 * retry, the heap after many requests, the testkit's simulated throughput.
 * Pure, tested in bench/test.
 */
import { formatInt, formatMiB, formatMicros, mdRow } from "./stats.js"

/** One client's retry cost at one concurrency (extras.ts measures it). */
export interface RetryRow {
  readonly client: string
  readonly concurrency: number
  readonly happyCpuUs: number
  readonly flakyCpuUs: number
  /** flaky − happy, paired by repetition: what one failed attempt and its retry cost, in CPU µs. */
  readonly retryCostUs: number
  readonly happyRps: number
  readonly flakyRps: number
  readonly errors: number
}

export interface RetryFigures {
  readonly concurrencies: ReadonlyArray<number>
  readonly repetitions: number
  readonly requests: number
  /** Unmeasured requests of the same client and path after the forced GC before each sample (0: none). */
  readonly rewarm: number
  readonly server: string
  readonly rows: ReadonlyArray<RetryRow>
}

export interface HeapFigures {
  readonly client: string
  readonly concurrency: number
  readonly requests: number
  readonly errors: number
  readonly seconds: number
  readonly checkpoints: ReadonlyArray<{ readonly requests: number; readonly heapUsed: number }>
  readonly growth: number
  /** Least-squares slope of heapUsed over requests from the first checkpoint after 0, in bytes per 1,000 requests. */
  readonly slopePerThousand: number
}

export interface SimulatedFigures {
  readonly clock: "TestClock" | "live"
  /** With the 10% chaos, or the same route without faults. */
  readonly chaos: boolean
  readonly requests: number
  readonly attempts: number
  readonly failed: number
  readonly concurrency: number
  readonly seconds: number
  readonly requestsPerSecond: number
  readonly cpuUsPerRequest: number
  readonly virtualSeconds: number | undefined
}

export const renderRetry = (retry: RetryFigures): string =>
  [
    `Against ${retry.server}: \`GET /?k=N\` (200) vs \`GET /flaky?k=N\` (503 the first time a key is seen, ` +
    `200 on its retry), at c=${retry.concurrencies.join(" and c=")}, ${retry.repetitions} interleaved ` +
    `repetitions of up to ${formatInt(retry.requests)} logical requests each, ` +
    (retry.rewarm > 0
      ? `each after a forced GC and ${formatInt(retry.rewarm)} unmeasured requests of the same client on the same ` +
        "path (as in the Method); "
      : "each after a forced GC, with no re-warm; ") +
    "medians, CPU per logical request. " +
    "The cost of one retry is the paired difference (503 then 200) − (200): the failed attempt, the decision, " +
    "the backoff timer and the second request. Both wait a random 0–1 ms before the retry (steadfast: its default " +
    "policy with `backoff.base: 1 ms`, full jitter); raw undici's row is the floor: a hand-written re-send.",
    "",
    mdRow([
      "client",
      "c",
      "happy CPU/req",
      "503 then 200 CPU/req",
      "cost of one retry",
      "happy req/s",
      "retried req/s"
    ]),
    mdRow(["---", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ...retry.rows.map((r) =>
      mdRow([
        r.client,
        String(r.concurrency),
        formatMicros(r.happyCpuUs),
        formatMicros(r.flakyCpuUs),
        `**${formatMicros(r.retryCostUs)}**`,
        formatInt(r.happyRps),
        formatInt(r.flakyRps) + (r.errors > 0 ? ` (${r.errors} errors)` : "")
      ])
    )
  ].join("\n")

export const renderHeap = (heap: HeapFigures): string =>
  [
    `${formatInt(heap.requests)} requests through ${heap.client} at c=${heap.concurrency} in ` +
    `${heap.seconds.toFixed(1)} s (${heap.errors} errors); \`heapUsed\` after a forced GC:`,
    "",
    mdRow(["after requests", "heapUsed"]),
    mdRow(["---:", "---:"]),
    ...heap.checkpoints.map((c) => mdRow([formatInt(c.requests), formatMiB(c.heapUsed)])),
    "",
    `Growth from before to after: **${formatMiB(heap.growth, true)}**. Slope from the first tenth to the last ` +
    `(least squares): **${heap.slopePerThousand.toFixed(1)} bytes per 1,000 requests** ` +
    `(one 16-byte object kept per request would be 16,000).`
  ].join("\n")

export const renderSimulated = (sims: ReadonlyArray<SimulatedFigures>): string => {
  const under = (chaos: boolean) => sims.find((s) => s.clock === "TestClock" && s.chaos === chaos)
  const withChaos = under(true)
  const without = under(false)
  return [
    "Requests through the core client over `SimulatedNetwork`, `client.json`, tracing off, response timeout 1 s: " +
    "with the 10% seeded chaos of docs/testing.md (4% reset, 3% 503, 2% hang ended by the response timeout, " +
    "1% truncated body), and the same route without faults. Under `TestClock` (the default policy, as a test " +
    "runs it, the clock advanced in 1 minute steps until done) and on the live clock (backoff base 1 ms).",
    "",
    mdRow([
      "clock",
      "faults",
      "c",
      "requests",
      "attempts",
      "failed after retries",
      "simulated requests/s",
      "CPU/request"
    ]),
    mdRow(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ...sims.map((sim) =>
      mdRow([
        sim.clock + (sim.virtualSeconds === undefined ? "" : ` (${sim.virtualSeconds} virtual s)`),
        sim.chaos ? "10% chaos" : "none",
        String(sim.concurrency),
        formatInt(sim.requests),
        formatInt(sim.attempts),
        formatInt(sim.failed),
        `**${formatInt(sim.requestsPerSecond)}**`,
        formatMicros(sim.cpuUsPerRequest)
      ])
    ),
    ...(withChaos !== undefined && without !== undefined
      ? [
        "",
        `Under TestClock the chaos run costs **${
          (withChaos.cpuUsPerRequest / without.cpuUsPerRequest).toFixed(2)
        }x** ` +
        `the CPU per request of the run without faults (${
          (without.requestsPerSecond / withChaos.requestsPerSecond).toFixed(2)
        }x its wall time).`
      ]
      : [])
  ].join("\n")
}
