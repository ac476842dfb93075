/**
 * The tour of `pnpm demo`, run in-process against a FaultServer: every row
 * shows the tag the tour expects, every section keeps its promises, and
 * nothing is left open once it is done.
 *
 * it.live: real loopback sockets and the fault server's real timers (the
 * tour is about the wall clock: retries, Retry-After, timeouts). A second
 * test runs the entry point in a child process, as `pnpm demo` does.
 */
import { describe, expect, it } from "@effect/vitest"
import { FaultServer } from "@steadfast/testkit"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { checksOf, type Result, rowsOf, scenario, type Section, tour } from "../src/tour.js"

/** Waits (up to 2 s) for the server's sockets to close: their teardown is asynchronous. */
const openSocketsSettled = (server: FaultServer.Service) =>
  Effect.gen(function*() {
    let open = yield* server.openSockets
    for (let i = 0; i < 200 && open > 0; i++) {
      yield* Effect.sleep("10 millis")
      open = yield* server.openSockets
    }
    return open
  })

describe("the demo's tour", () => {
  it.scopedLive("runs every section as the tour expects, and leaves nothing open", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const seen: Array<Section["id"]> = []
      const result: Result = yield* tour({ onSection: (s) => Effect.sync(() => seen.push(s.id)), requests: 100 }).pipe(
        Effect.provideService(FaultServer.FaultServer, server)
      )

      // each section is reported as soon as it is done, in order
      expect(seen).toEqual([
        "classification",
        "retries",
        "timeouts",
        "post",
        "redirects",
        "pool",
        "rate-limits",
        "policies"
      ])

      // every row: the tag (and detail) seen is the one expected; compared
      // with the row's label, so that a failure names the row
      for (const section of result.sections) {
        for (const row of rowsOf(section)) {
          expect({ row: row.label, tag: row.actual, detail: row.detail }).toEqual({
            row: row.label,
            tag: row.expected,
            detail: row.expectedDetail
          })
          expect(row.ok, `${row.label}: ${row.problem}`).toBe(true)
        }
        for (const check of checksOf(section)) {
          expect(check.ok, `${section.id}: ${check.what}: saw ${check.actual}, expected ${check.expected}`).toBe(true)
        }
        expect(section.ok, section.id).toBe(true)
      }
      expect(result.ok).toBe(true)
      expect(result.classification.data.rows.length).toBe(15)
      // retries are off there: one attempt each
      expect(result.classification.data.rows.map((r) => r.attempts)).toEqual(Array(15).fill(1))
      expect(rowsOf(result.timeouts).map((r) => r.actual)).toEqual(["ConnectTimeout", "ResponseTimeout", "BodyTimeout"])

      // retries: reset, 503 with Retry-After: 1, 200 — three attempts, the
      // last one at least a second after the second
      const { dead, flaky } = result.retries.data
      expect(flaky.body).toEqual({ ok: true })
      expect(flaky.received.map((r) => r.played)).toEqual([
        "reset before the response",
        "503, Retry-After: 1",
        "200 {\"ok\":true}"
      ])
      expect(flaky.retryAfterWaitMs).toBeGreaterThanOrEqual(1000)
      expect(dead.tag).toBe("DeadlineExceeded")
      expect(dead.attempts).toBeGreaterThanOrEqual(2)
      expect(dead.waitsMs.length).toBe(dead.attempts)

      // the POST that may have reached the server was sent once; with an
      // Idempotency-Key it was retried
      const { keyed, plain } = result.post.data
      expect(plain).toEqual({ tag: "ConnectionReset", attempts: 1, requestSent: true, received: 1 })
      expect(keyed).toEqual({ body: { id: 42 }, received: 2 })

      expect(result.redirects.data.forwarded.authorization).toBeUndefined()

      // the pool: bounded while busy, idle at the end, closed with its scope
      const pool = result.pool.data
      expect(pool.busy).toMatchObject({ connected: pool.connections, running: pool.connections })
      expect(pool.busy.pending).toBeGreaterThan(0)
      expect(pool.busyGauges).toEqual(pool.busy)
      expect(pool.stale).toEqual({ body: "fresh", received: 2, staleResends: 1 })
      expect(pool.final).toMatchObject({ pending: 0, running: 0, size: 0 })
      expect(pool.final.free).toBe(pool.final.connected)
      expect(pool.openSocketsAfterClose).toBe(0)
      expect(pool.connectedGaugeAfterClose).toBe(0)

      // rate limits: without a limiter three requests were refused and sent again; a limiter that
      // heeds the RateLimit header holds the last three back until the reset; a quota of 5/s paces ten
      const limits = result.rateLimits.data
      expect(limits.naive).toEqual({ received: 9, refused: 3, succeeded: 6 })
      expect(limits.heeded.received).toBe(6)
      expect(limits.heeded.succeeded).toBe(6)
      for (const ms of limits.heeded.arrivalsMs.slice(3)) expect(ms).toBeGreaterThanOrEqual(995)
      expect(limits.paced.arrivalsMs.length).toBe(10)
      expect(limits.paced.busiestSecond).toBeLessThanOrEqual(6)

      // the retry budget: without it 100 requests to an always-503 origin reach it 400 times; with
      // it at most 100 × 1.2 + 10 × (seconds + 1), and some requests end with retryRefused: "budget"
      const spared = result.policies.data
      expect(spared.unlimited.received).toBe(400)
      expect(spared.budget.received).toBeGreaterThan(100)
      expect(spared.budget.received).toBeLessThanOrEqual(120 + 10 * (spared.budget.seconds + 1))
      expect(spared.budget.refused).toBeGreaterThan(0)
      // the breaker: three 503s open it, seven fail fast unsent, the probe after the break closes it
      expect(spared.breaker).toEqual({
        received: 4,
        circuitOpen: 7,
        afterBreak: "back",
        transitions: [
          "circuit breaker opened (closed -> open) after StatusError 503; next probe in 1s",
          "circuit breaker is half-open: sending a probe",
          "circuit breaker closed: the probes succeeded"
        ]
      })

      // every scripted step was used as planned, and every pool is closed:
      // the server has no socket left open
      expect(yield* server.exhausted).toEqual([])
      expect(yield* openSocketsSettled(server)).toBe(0)
    }))

  // The entry point as `pnpm demo` runs it, but from the sources (tsx, and
  // the "@steadfast/source" condition: no build needed), its output going
  // to a pipe: plain text, exit code 0, and a process that ends by itself
  // (a handle left open would keep it alive until the timeout). A proxy in
  // the environment must not matter: the tour sets the proxy to none.
  it.live("main: prints the tour without colours and exits with 0", () =>
    Effect.gen(function*() {
      const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
      const root = fileURLToPath(new URL("../..", import.meta.url))
      // no colour settings from the test runner: a pipe alone must turn colours off
      const { FORCE_COLOR: _force, NO_COLOR: _no, ...inherited } = process.env
      const { code, stderr, stdout } = yield* Effect.async<{ code: number | null; stdout: string; stderr: string }>(
        (resume) => {
          const child = execFile(
            process.execPath,
            ["--conditions=@steadfast/source", "--import", "tsx", main],
            {
              cwd: root,
              // the tour takes ~8 s; tsx compiles first, and this machine is shared
              timeout: 50_000,
              env: {
                ...inherited,
                HTTP_PROXY: "http://127.0.0.1:9",
                HTTPS_PROXY: "http://127.0.0.1:9"
              }
            },
            (error, stdout, stderr) =>
              resume(Effect.succeed({ code: error === null ? 0 : (error.code as number | null), stdout, stderr }))
          )
          return Effect.sync(() => child.kill())
        }
      )
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
      expect(stdout).not.toContain("\x1b[")
      expect(stdout).not.toContain("✗")
      for (
        const title of [
          "1. Every failure has a name",
          "3. Timeouts fire on time",
          "6. The pool at work",
          "7. Rate limits: pace instead of being refused",
          "8. Spare a failing server"
        ]
      ) {
        expect(stdout).toContain(title)
      }
      expect(stdout).toMatch(/✓ Every section went as expected in/)
    }), 60_000)
})
