/**
 * An interruption can land between any two steps of a fiber: another fiber
 * sends it, and the runtime takes it before the next step (a fiber yields to
 * the scheduler now and then, so one can land anywhere). Wherever it lands
 * in a call, what the call started is ended: its spans, its start counted
 * in `steadfast_requests_total` with its latency recorded (the end's
 * metric), the bulkhead's slot. The sweep interrupts a call after its 1st,
 * 2nd, 3rd … step, until a call completes before the interruption comes;
 * each scenario (a plain answer, a retry, a redirect, a bulkhead) takes
 * its own steps.
 */
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import { HttpClientRequest } from "#line/http"
import * as Metric from "#line/Metric"
import { interruptingTracer } from "#testline/interruptingTracer"
import type { RecordedSpan } from "#testline/recordingTracer"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Bulkhead, type Client, Metrics } from "@steadfast/core"
import { paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/items")
/** Far more steps than one call takes: the sweep stops at the first call that completes. */
const MAX_STEPS = 5000

interface Scenario {
  readonly name: string
  /** A fresh server for each call of the sweep (a sequence starts over). */
  readonly server: () => Mem.Handler
  readonly options: () => Client.Options
  /** What else must be back where it was after each call. */
  readonly settled?: (options: Client.Options) => Effect.Effect<void>
}

/**
 * No wait before the retry: a wait on the TestClock runs the TestClock's own
 * steps on the call's fiber, inside its own locks, and an interruption the
 * sweep lands between two of those steps can leave a lock held (the next
 * `TestClock.adjust` hangs). The TestClock is not the subject here.
 */
const retryOnce = { retries: 1, backoff: { base: "0 millis", jitter: "none" } } as const
const bulkhead = Bulkhead.make({ maxConcurrent: 1 })

const scenarios: ReadonlyArray<Scenario> = [
  { name: "a plain answer", server: () => Mem.sequence(Mem.json(200, "ok")), options: () => ({}) },
  {
    name: "a 503 and a retry",
    server: () => Mem.sequence(Mem.json(503, {}), Mem.json(200, "ok")),
    options: () => ({ retry: retryOnce })
  },
  {
    name: "a redirect",
    server: () => (request) =>
      Effect.succeed(
        request.url.pathname === "/items"
          ? { status: 302, headers: { location: "/moved" } }
          : Mem.json(200, "ok")
      ),
    options: () => ({})
  },
  {
    name: "a bulkhead",
    server: () => Mem.sequence(Mem.json(200, "ok")),
    options: () => ({ policies: [bulkhead] }),
    settled: () =>
      Effect.map(
        Bulkhead.state(bulkhead, "http://api.test"),
        (s) => deepStrictEqual({ inFlight: s.inFlight, queued: s.queued }, { inFlight: 0, queued: 0 })
      )
  }
]

const count = {
  started: Effect.map(Metric.value(Metrics.requests), (s) => s.count),
  ended: Effect.map(Metric.value(Metrics.latency), (s) => s.count)
}

describe.each(paths)("interrupted anywhere ($name)", (path) => {
  it.effect.each(scenarios)(
    "$name: a call interrupted after any one of its steps ends what it started",
    (scenario) =>
      Effect.gen(function*() {
        const before = { started: yield* count.started, ended: yield* count.ended }
        let interruptedMidCall = 0
        let completedAt: number | undefined
        for (let step = 1; step <= MAX_STEPS && completedAt === undefined; step++) {
          const spans: Array<RecordedSpan> = []
          // instant: the transport forks no fiber, so every step of the call is on the one fiber the tracer counts
          const mem = Mem.make(scenario.server(), { instant: true })
          const options = scenario.options()
          const exit = yield* withClient(mem, options, (client) =>
            Effect.gen(function*() {
              const fiber = yield* Effect.fork(Effect.withTracer(client.json(get), interruptingTracer(spans, step)))
              return yield* Fiber.await(fiber)
            }), path)
          if (Exit.isSuccess(exit)) completedAt = step
          else if (spans.length > 0) interruptedMidCall++
          const open = spans.filter((s) => !s.ended).map((s) => s.name)
          strictEqual(open.join(", "), "", `interrupted after step ${step}: spans left open`)
          if (scenario.settled !== undefined) yield* scenario.settled(options)
        }
        const calls = { started: (yield* count.started) - before.started, ended: (yield* count.ended) - before.ended }
        strictEqual(calls.ended, calls.started, `calls started and not ended: ${JSON.stringify(calls)}`)
        assertTrue(completedAt !== undefined, `no call completed within ${MAX_STEPS} steps`)
        // the sweep reached inside calls (a span open), not only before them
        assertTrue(interruptedMidCall > 10, `only ${interruptedMidCall} calls interrupted mid-way`)
      })
  )
})
