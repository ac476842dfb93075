/**
 * The Effect line bench: raw undici, the Effect floor, Effect's own HTTP
 * client (plain, and with `retryTransient` + a timeout) and steadfast over
 * its node transport (tracer off, and tracer on in the fiber-per-request
 * shape: on Effect 4 the default tracer makes the call's and the attempt's
 * native spans), on the Effect line this build is compiled for. `lines/effect4/bench.sh` builds it for Effect 4
 * and runs it under lines/effect4's Node 22, so the Effect 4 rows have their
 * own reference and floor, measured in the same process and interleaved as
 * `run.ts` does (which covers the Effect 3 line with the full table).
 *
 *   node dist/effectLine.js [--quick] [--server node] [--no-write] [--by-count]
 *
 * The full run writes bench/RESULTS-<line>.md; `--quick` prints only.
 */
import { line, platformClient, versions } from "#line/platform"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type ClientSpec, effectFloor, undiciReference } from "./base.js"
import { commit, gc, machine, versionOf } from "./environment.js"
import { measureConcurrency, rowsOf, tablePlan } from "./measure.js"
import { mdTable, renderTable, type Row } from "./report.js"
import { describeRewarm } from "./rewarm.js"
import { type Server, startServer } from "./server.js"
import { defaults, everythingOff, nodeLayer, steadfastClient } from "./steadfastNode.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const repoDir = (() => {
  for (let at = here;; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, "pnpm-workspace.yaml"))) return at
    if (path.dirname(at) === at) return path.resolve(here, "..", "..")
  }
})()

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(name)
const quick = flag("--quick")
const write = !quick && !flag("--no-write")
const plan = tablePlan(quick, flag("--by-count"))
const log = (text: string) => process.stdout.write(`${text}\n`)

const specs: ReadonlyArray<ClientSpec> = [
  undiciReference,
  effectFloor("workers"),
  effectFloor("each"),
  platformClient("platform", "platform makeUndici", "off", false),
  platformClient("platform-each", "platform makeUndici (fiber/request)", "off", false, "each"),
  platformClient("platform-resilient", "platform + retryTransient + timeout", "off", true),
  platformClient("platform-resilient-each", "platform + retryTransient + timeout (fiber/request)", "off", true, "each"),
  steadfastClient(
    nodeLayer,
    "steadfast-default",
    "steadfast default",
    "off",
    defaults,
    "`NodeClient.layer()`: default policy (3 retries, connect/response/body-idle timeouts, deadline, redirects, " +
      "spans and metrics on)"
  ),
  steadfastClient(
    nodeLayer,
    "steadfast-default-each",
    "steadfast default (fiber/request)",
    "off",
    defaults,
    "`NodeClient.layer()`: default policy",
    "each"
  ),
  steadfastClient(
    nodeLayer,
    "steadfast-traced-each",
    "steadfast default (tracing on, fiber/request)",
    "on",
    defaults,
    "`NodeClient.layer()`, default policy, Effect's default tracer enabled (native spans, no exporter)",
    "each"
  ),
  steadfastClient(
    nodeLayer,
    "steadfast-off",
    "steadfast everything off",
    "off",
    everythingOff,
    "`NodeClient.layer({ retry: Retry.none, timeouts: all off, redirects: Redirects.none, spans: false, " +
      "metrics: false })`"
  )
]

const markdown = (rows: ReadonlyArray<Row>, server: Server, seconds: number): string => {
  const m = machine()
  return [
    `# steadfast benchmark results: ${line}`,
    "",
    "Written by the Effect line bench (bench/src/effectLine.ts, run by `pnpm bench`); do not edit by hand. " +
    `Method as in RESULTS.md (interleaved repetitions, medians, paired ratios; ${describeRewarm(plan.rewarm)}); ` +
    "every ratio here is to raw undici " +
    `and to the Effect floor measured in this process, on ${line}.`,
    "",
    `- date: ${new Date().toISOString()}`,
    `- commit: ${commit(repoDir) ?? "unknown (not a git checkout)"}`,
    `- Node: ${process.version}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memory}, ${m.os}`,
    `- server: ${server.description}${server.note === undefined ? "" : ` — ${server.note}`}`,
    `- versions: ${versions.map((n) => `${n} ${versionOf(here, n)}`).join(", ")}`,
    `- run took ${seconds.toFixed(0)} s`,
    "",
    "Clients:",
    "",
    ...specs.map((s) => `- **${s.name}**: ${s.describe}`),
    "",
    ...plan.concurrencies.flatMap((c) => [`## Results at c=${c}`, "", mdTable(rows, c), ""])
  ].join("\n")
}

const main = async (): Promise<number> => {
  const started = performance.now()
  log(
    `steadfast bench, ${line} rows${quick ? " --quick" : ""}: Node ${process.version}, ` +
      versions.map((n) => `${n} ${versionOf(here, n)}`).join(", ")
  )
  let server: Server | undefined
  try {
    server = await startServer(argv.includes("node") && flag("--server") ? "node" : "nginx")
    log(`server: ${server.description} at ${server.origin}`)
    const rows: Array<Row> = []
    for (const c of plan.concurrencies) {
      rows.push(...rowsOf(await measureConcurrency(server.origin, specs, c, plan, gc, log), c))
    }
    log("")
    log(renderTable(rows))
    const broken = rows.filter((row) => row.summary.requests === 0)
    for (const row of broken) {
      log(`BROKEN: ${row.client.name} at c=${row.concurrency} completed no request: ${row.firstError ?? "?"}`)
    }
    if (write) {
      const file = path.join(repoDir, "bench", `RESULTS-${line.toLowerCase().replace(/\s+/g, "")}.md`)
      fs.writeFileSync(file, markdown(rows, server, (performance.now() - started) / 1000))
      log(`\nwrote ${path.relative(repoDir, file)}`)
    }
    return broken.length > 0 ? 1 : 0
  } catch (error) {
    log(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
    return 1
  } finally {
    await server?.stop().catch(() => {})
  }
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
