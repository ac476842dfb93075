/**
 * `pnpm bench:sim-cost`: where the chaos run's extra cost comes from. Runs,
 * alternately and in one process, the simulated network under `TestClock`
 * without chaos, with the docs' 10% chaos, and with the same chaos retried
 * at once (backoff base 0: no fiber sleeps between attempts), and prints the
 * CPU per request of each (best and median of the rounds) and the ratios to
 * the run without chaos.
 *
 *   node bench/dist/simulatedCost.js [--requests 30000] [--rounds 4]
 *
 * CPU per request, not requests per second: it holds on a busy machine.
 */
import { simulated } from "./extras.js"
import { median } from "./stats.js"

const argv = process.argv.slice(2)
const value = (name: string, fallback: string) => {
  const i = argv.indexOf(name)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}
const requests = Number(value("--requests", "30000"))
const rounds = Number(value("--rounds", "4"))

const runs = [
  { label: "no chaos", chaos: false, backoffSleeps: true },
  { label: "10% chaos", chaos: true, backoffSleeps: true },
  { label: "10% chaos, retried at once", chaos: true, backoffSleeps: false }
] as const

// warm the JIT on every path first
for (const run of runs) {
  await simulated({ requests: 3000, concurrency: 64, clock: "TestClock", ...run })
}
const cpu: Array<Array<number>> = runs.map(() => [])
for (let round = 0; round < rounds; round++) {
  for (const [i, run] of runs.entries()) {
    const result = await simulated({ requests, concurrency: 64, clock: "TestClock", ...run })
    cpu[i]!.push(result.cpuUsPerRequest)
  }
}
const best = cpu.map((xs) => Math.min(...xs))
const med = cpu.map((xs) => median(xs))
console.log(`${requests} requests × ${rounds} rounds, concurrency 64, CPU µs per request (best / median):`)
for (const [i, run] of runs.entries()) {
  const ratio = i === 0 ? "" : `  ×${(best[i]! / best[0]!).toFixed(2)} / ×${(med[i]! / med[0]!).toFixed(2)}`
  console.log(
    `  ${run.label.padEnd(28)} ${best[i]!.toFixed(1).padStart(6)} / ${med[i]!.toFixed(1).padStart(6)}${ratio}`
  )
}
