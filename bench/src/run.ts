/**
 * `pnpm bench` / `pnpm bench:quick`: throughput, latency and client CPU per
 * request of steadfast against raw undici and the clients users would pick
 * instead, side by side in one run, on loopback.
 *
 *   node bench/dist/run.js [--quick] [--server node] [--only id,id] [--no-extras] [--no-write] [--by-count]
 *                          [--target-sessions K] [--session-repetitions R] [--rewarm N]
 *
 * Every measured run, in the main table, the targets phase, the retry cost
 * and the trace propagation extra, starts with a forced GC and N unmeasured
 * requests of the same client on the same path (rewarm.ts: 4,000; 500 with
 * `--quick`; `--rewarm 0` runs without, as the bench did before).
 *
 * After the main table, the targets phase (`targetSessions.ts`) runs K
 * sessions of only the rows the targets of issue 16 need, R interleaved
 * repetitions each (7 and 3; `--quick`: 2 and 1; K = 0 skips it), and
 * decides each target by the median of the sessions. With `--only`, it runs
 * when one of the ids named is a target's client. The full run writes
 * bench/RESULTS.md; `--quick` (the CI smoke run) prints only. The exit code
 * is 1 only when something is really broken: the server does not start, or
 * a client completes no request at all.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { clients, FLOOR, REFERENCE } from "./clients.js"
import { commit, gc, machine, versionOf } from "./environment.js"
import { heapGrowth, retryCost, simulatedRuns } from "./extras.js"
import { flameClients, type FlameRow, profileClients, renderFlame } from "./flame.js"
import type { Bound } from "./load.js"
import { measureConcurrency, rowsOf, type TablePlan, tablePlan } from "./measure.js"
import { budgetCost, policyCost } from "./policies.js"
import {
  checkTargets,
  type HeapFigures,
  renderHeap,
  renderMarkdown,
  renderSimulated,
  renderTable,
  renderTargets,
  renderTargetSessions,
  type Report,
  type RetryFigures,
  type Row,
  type SimulatedFigures
} from "./report.js"
import { describeRewarm } from "./rewarm.js"
import { type Server, startNodeServer, startServer } from "./server.js"
import { formatMicros } from "./stats.js"
import { STEADFAST_PATH } from "./steadfast.js"
import { targets } from "./targets.js"
import { measureTargetSessions, type TargetPhase } from "./targetSessions.js"
import { tracingCost } from "./tracing.js"

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const repoDir = path.resolve(benchDir, "..")

// --- options -------------------------------------------------------------------

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(name)
const value = (name: string) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}

const quick = flag("--quick")
const only = value("--only")?.split(",").map((s) => s.trim())
const preferServer = value("--server") === "node" ? "node" : "nginx"
const extras = !flag("--no-extras")
const write = !quick && !flag("--no-write") && only === undefined

/** A count option: a whole number >= `least`, or `fallback` when absent; anything else stops the run with a hint. */
const count = (name: string, fallback: number, least: number): number => {
  const text = value(name)
  if (text === undefined) return fallback
  const n = Number(text)
  if (text.trim() === "" || !Number.isInteger(n) || n < least) {
    process.stderr.write(
      `${name} takes a whole number >= ${least} (got ${JSON.stringify(text)}), e.g. ${name} ${fallback}\n`
    )
    process.exit(2)
  }
  return n
}

const targetSessions = count("--target-sessions", quick ? 2 : 7, 0)
const sessionRepetitions = count("--session-repetitions", quick ? 1 : 3, 1)
/** `--rewarm N`: the re-warm's count instead of rewarm.ts's (0: none). */
const rewarmRequests = value("--rewarm") === undefined ? undefined : count("--rewarm", 0, 0)
/** The targets phase runs unless `--only` names none of the targets' clients. */
const runTargets = targetSessions > 0 &&
  (only === undefined || targets.some((t) => only.includes(t.clientId)))

interface Plan extends TablePlan {
  readonly retry: {
    readonly concurrencies: ReadonlyArray<number>
    readonly repetitions: number
    readonly bound: Bound
    readonly rewarm: Bound
  }
  readonly heap: { readonly requests: number; readonly concurrency: number; readonly maxMs: number }
  readonly simulated: { readonly requests: number; readonly concurrency: number }
}

const table = tablePlan(quick, flag("--by-count"), rewarmRequests)
const plan: Plan = {
  ...table,
  ...(quick
    ? {
      // bounded by count (the time bound is a safety net): a run cut short by time measures warm-up, not retries
      retry: { concurrencies: [64], repetitions: 2, bound: { maxRequests: 2000, maxMs: 10_000 }, rewarm: table.rewarm },
      heap: { requests: 10_000, concurrency: 64, maxMs: 10_000 },
      simulated: { requests: 2000, concurrency: 64 }
    }
    : {
      retry: {
        concurrencies: [1, 64],
        repetitions: 5,
        bound: { maxRequests: 6000, maxMs: 30_000 },
        rewarm: table.rewarm
      },
      heap: { requests: 1_000_000, concurrency: 64, maxMs: 240_000 },
      simulated: { requests: 100_000, concurrency: 64 }
    })
}

const log = (line: string) => process.stdout.write(`${line}\n`)

/** Logs the rows that completed no request (broken: true) and those with errors. */
const reportBroken = (rows: ReadonlyArray<Row>): boolean => {
  let broken = false
  for (const row of rows) {
    if (row.summary.requests === 0) {
      broken = true
      log(`BROKEN: ${row.client.name} at c=${row.concurrency} completed no request: ${row.firstError ?? "?"}`)
    } else if (row.summary.errors > 0) {
      log(`warning: ${row.client.name} at c=${row.concurrency}: ${row.summary.errors} errors, first: ${row.firstError}`)
    }
  }
  return broken
}

// --- main ----------------------------------------------------------------------------

const main = async (): Promise<number> => {
  const started = performance.now()
  const specs = clients.filter((c) =>
    c.id === REFERENCE || c.id === FLOOR.workers || c.id === FLOOR.each || only === undefined || only.includes(c.id)
  )
  log(
    `steadfast bench${quick ? " --quick" : ""}: ${specs.length} clients, c=${plan.concurrencies.join(",")}, ` +
      `${plan.repetitions} repetitions`
  )
  log(`steadfast path: ${STEADFAST_PATH}`)
  log(`${describeRewarm(plan.rewarm)}`)

  const servers: Array<Server> = []
  let exitCode = 0
  try {
    const server = await startServer(preferServer)
    servers.push(server)
    log(`server: ${server.description} at ${server.origin}${server.note === undefined ? "" : ` (${server.note})`}`)

    const rows: Array<Row> = []
    for (const c of plan.concurrencies) {
      const slots = await measureConcurrency(server.origin, specs, c, plan, gc, log)
      rows.push(...rowsOf(slots, c))
    }
    log("")
    log(renderTable(rows))
    if (reportBroken(rows)) exitCode = 1

    let phase: TargetPhase | undefined
    if (runTargets) {
      log("")
      log(
        `targets: ${targetSessions} session${targetSessions === 1 ? "" : "s"} of the target rows, ` +
          `${sessionRepetitions} repetition${sessionRepetitions === 1 ? "" : "s"} each …`
      )
      phase = await measureTargetSessions(
        server.origin,
        clients,
        { ...plan, repetitions: sessionRepetitions, sessions: targetSessions },
        gc,
        log
      )
      if (phase.rows.map(reportBroken).includes(true)) exitCode = 1
      log("")
      log(renderTargetSessions(phase.figures).replace(/\*\*/g, ""))
    } else {
      log("")
      log("targets, from the main table's one run (it does not decide them; --target-sessions K does):")
      log(renderTargets(checkTargets(rows)).replace(/\*\*/g, ""))
    }

    let flame: Array<FlameRow> | undefined
    if (extras) {
      log("")
      log("where the CPU goes (sampled profile) …")
      try {
        const profiled = flameClients.map((id) => clients.find((c) => c.id === id)!)
        const bound = { maxRequests: quick ? 3_000 : 20_000, maxMs: 30_000 }
        const warm = { maxRequests: Math.max(plan.rewarm.maxRequests, quick ? 500 : 4_000), maxMs: 30_000 }
        flame = await profileClients(server.origin, profiled, 64, warm, bound, gc, quick ? 1 : 3)
        log(renderFlame(flame).replace(/\*\*/g, ""))
        if (flame.some((r) => r.requests === 0)) exitCode = 1
      } catch (error) {
        log(`profile failed: ${String(error)}`)
        exitCode = 1
      }
    }

    let retry: RetryFigures | undefined
    let heap: HeapFigures | undefined
    const sims: Array<SimulatedFigures> = []
    if (extras) {
      const budget = budgetCost(quick ? 200_000 : 2_000_000)
      log("")
      log(`retry budget (on by default): ${budget.nsPerRequest.toFixed(0)} ns of CPU per request on the happy path`)
      const opted = await policyCost(quick ? 5_000 : 20_000)
      log(
        `opt-in policies, CPU per request over an in-memory transport (${formatMicros(opted.baseUs)} without): ` +
          opted.extraUs.map((p) => `${p.policies} +${formatMicros(p.us)}`).join(", ")
      )
      try {
        const nodeServer = server.kind === "node" ? server : await startNodeServer()
        if (nodeServer !== server) servers.push(nodeServer)
        log("")
        log("retry cost …")
        const result = await retryCost(nodeServer.origin, plan.retry, gc)
        retry = { ...result, server: nodeServer.description }
        for (const r of result.rows) {
          log(
            `  ${r.client}, c=${r.concurrency}: happy ${formatMicros(r.happyCpuUs)}, 503+retry ${
              formatMicros(r.flakyCpuUs)
            }, ` +
              `one retry costs ${formatMicros(r.retryCostUs)} CPU${r.errors > 0 ? ` (${r.errors} errors)` : ""}`
          )
        }
      } catch (error) {
        log(`retry cost failed: ${String(error)}`)
        exitCode = 1
      }
      try {
        log("trace propagation …")
        for (const r of await tracingCost(server.origin, plan.retry, gc)) {
          log(
            `  ${r.variant}, c=${r.concurrency}: ${formatMicros(r.cpuUs)} CPU per request` +
              (r.variant === "tracer off" ? "" : ` (${formatMicros(r.overTracerOffUs)} more than tracer off)`) +
              (r.errors > 0 ? ` (${r.errors} errors)` : "")
          )
          if (r.errors > 0) exitCode = 1
        }
      } catch (error) {
        log(`trace propagation failed: ${String(error)}`)
        exitCode = 1
      }
      try {
        log("heap …")
        heap = await heapGrowth(server.origin, plan.heap, gc)
        log(renderHeap(heap).replace(/\*\*/g, ""))
        if (heap.requests === 0) exitCode = 1
      } catch (error) {
        log(`heap test failed: ${String(error)}`)
        exitCode = 1
      }
      try {
        log("simulated network …")
        sims.push(...await simulatedRuns(plan.simulated))
        log(renderSimulated(sims).replace(/\*\*/g, ""))
      } catch (error) {
        log(`simulated network failed: ${String(error)}`)
        exitCode = 1
      }
    }

    const durationSeconds = (performance.now() - started) / 1000
    const report: Report = {
      date: new Date().toISOString(),
      commit: commit(repoDir),
      node: process.version,
      machine: machine(),
      versions: Object.fromEntries(
        ["undici", "effect", "@effect/platform", "@effect/platform-node", "got", "axios"].map((
          n
        ) => [n, versionOf(benchDir, n)])
      ),
      server: { description: server.description, note: server.note },
      steadfastPath: STEADFAST_PATH,
      method: {
        repetitions: plan.repetitions,
        concurrencies: plan.concurrencies,
        bounds: plan.concurrencies.map((c) => ({ concurrency: c, ...plan.bound(c) })),
        warmup: `${plan.warmup(1).maxRequests} requests or ${plan.warmup(1).maxMs} ms per client and concurrency`,
        rewarm: plan.rewarm.maxRequests,
        quick
      },
      clients: specs.map((s) => ({ id: s.id, name: s.name, tracing: s.tracing, describe: s.describe })),
      rows,
      targets: phase?.figures,
      flame,
      retry,
      heap,
      simulated: sims,
      durationSeconds
    }
    if (write) {
      const file = path.join(benchDir, "RESULTS.md")
      fs.writeFileSync(file, renderMarkdown(report))
      log(`\nwrote ${path.relative(repoDir, file)}`)
    }
    log(`\ndone in ${durationSeconds.toFixed(1)} s`)
  } catch (error) {
    log(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
    exitCode = 1
  } finally {
    for (const s of servers) await s.stop().catch(() => {})
  }
  return exitCode
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
