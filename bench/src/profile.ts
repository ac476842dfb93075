/**
 * `pnpm bench:profile`: where a client's CPU goes. Runs one client of
 * `clients.ts` at one concurrency under V8's sampling profiler (through
 * `node:inspector`, in this process) and prints its self time grouped by
 * where the code lives (steadfast core, steadfast node, the Effect runtime,
 * undici, Node's internals, GC) and the hottest functions, in µs per request.
 *
 *   node bench/dist/profile.js [--client steadfast-default-each] [--c 64] [--requests 20000] [--top 25] [--alloc | --survivors] [--retry [--happy]] [--save file]
 *
 * With `--alloc`, the sampling heap profiler instead: bytes allocated per
 * request, per place and per function (what the GC then has to collect).
 * With `--survivors`, the same, counting only what outlived a minor GC
 * (scavenge): a request's objects should die young; what survives is
 * copied, promoted to the old generation and kept until a full GC. Over the
 * default 20,000 requests the Effect floor keeps under 1 KB per request.
 *
 * With `--retry`, the retry-cost test's steadfast client on its failure
 * path instead (`/flaky` on the node server: a 503, then 200 on the retry;
 * `--client` is ignored, except `--client undici`: raw undici's hand-written
 * retry of the same test): figures are per request, so per retry; with
 * `--retry --happy`, the same client's happy path on the same server (`/`,
 * 200), whose figures subtracted from the failure path's are one retry's.
 * `--save file` writes the raw profile (`.cpuprofile` / `.heapprofile` JSON,
 * which Chrome DevTools opens).
 *
 * Profiles are proportions of the samples, so they hold on a busy machine
 * where absolute timings do not. A sampling profiler misses inlined frames:
 * an inlined function's time is its caller's.
 */
import * as fs from "node:fs"
import * as inspector from "node:inspector/promises"
import { clients } from "./clients.js"
import { steadfastRetryRunner, undiciRetryRunner } from "./extras.js"
import { type HeapNode, type ProfileNode, summarizeAllocations, summarizeProfile } from "./profileSummary.js"
import { startNodeServer, startServer } from "./server.js"

const argv = process.argv.slice(2)
const value = (name: string, fallback: string) => {
  const i = argv.indexOf(name)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}

const clientId = value("--client", "steadfast-default-each")
const concurrency = Number(value("--c", "64"))
const requests = Number(value("--requests", "20000"))
const top = Number(value("--top", "25"))
const survivors = argv.includes("--survivors")
const alloc = survivors || argv.includes("--alloc")
const retry = argv.includes("--retry")
const happy = argv.includes("--happy")
const save = value("--save", "")

const main = async (): Promise<number> => {
  const spec = clients.find((c) => c.id === clientId)
  if (spec === undefined && !retry) {
    process.stderr.write(`unknown client ${clientId}; one of: ${clients.map((c) => c.id).join(", ")}\n`)
    return 2
  }
  const server = retry ? await startNodeServer() : await startServer("nginx")
  const instance = retry
    ? await (clientId === "undici"
      ? Promise.resolve(undiciRetryRunner(server.origin, concurrency))
      : steadfastRetryRunner(server.origin, concurrency)).then((r) => ({
        name: happy ? `${r.name}, happy path (200)` : `${r.name}, 503 then retry`,
        run: happy ? r.happy : r.flaky,
        close: r.close
      }))
    : { name: spec!.name, ...await spec!.make(server.origin, concurrency) }
  const session = new inspector.Session()
  try {
    await instance.run({ maxRequests: Math.min(5000, requests), maxMs: 5000 })
    session.connect()
    let summary: string
    let sample
    if (alloc) {
      await session.post("HeapProfiler.enable")
      await session.post("HeapProfiler.startSampling", {
        samplingInterval: 512,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: !survivors
      })
      sample = await instance.run({ maxRequests: requests, maxMs: 60_000 })
      const { profile } = await session.post("HeapProfiler.stopSampling")
      if (save !== "") fs.writeFileSync(save, JSON.stringify(profile))
      summary = summarizeAllocations(
        profile.head as unknown as HeapNode,
        sample.ok,
        top,
        survivors ? "outlived a minor GC" : "allocated"
      )
    } else {
      await session.post("Profiler.enable")
      await session.post("Profiler.setSamplingInterval", { interval: 100 })
      await session.post("Profiler.start")
      sample = await instance.run({ maxRequests: requests, maxMs: 60_000 })
      const { profile } = await session.post("Profiler.stop")
      if (save !== "") fs.writeFileSync(save, JSON.stringify(profile))
      summary = summarizeProfile(
        profile as unknown as { nodes: Array<ProfileNode>; samples: Array<number>; timeDeltas: Array<number> },
        sample.ok,
        top
      )
    }
    process.stdout.write(
      `${instance.name} at c=${concurrency}, ${sample.ok} requests (${sample.errors} errors), ` +
        `${(sample.cpuUs / sample.ok).toFixed(1)} µs CPU/request, server ${server.description}\n\n${summary}\n`
    )
    return sample.ok > 0 ? 0 : 1
  } finally {
    session.disconnect()
    await instance.close()
    await server.stop()
  }
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
