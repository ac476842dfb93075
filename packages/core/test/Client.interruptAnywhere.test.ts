/**
 * An interruption can land between any two steps of a fiber: another fiber
 * sends it, and the runtime takes it before the next step (a fiber yields to
 * the scheduler now and then, so one can land anywhere). Wherever it lands
 * in a call, what the call started is finished: its spans end, and each
 * call counted as started (`steadfast_requests_total`) has its latency
 * recorded (the end's metric). The sweep
 * interrupts a call after its 1st, 2nd, 3rd … step, until a call completes
 * before the interruption comes.
 */
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import { HttpClientRequest } from "#line/http"
import * as Metric from "#line/Metric"
import { interruptingTracer } from "#testline/interruptingTracer"
import type { RecordedSpan } from "#testline/recordingTracer"
import { describe, it } from "@effect/vitest"
import { assertTrue, strictEqual } from "@effect/vitest/utils"
import { Metrics } from "@steadfast/core"
import { paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/items")
/** Far more steps than one call takes: the sweep stops at the first call that completes. */
const MAX_STEPS = 5000

describe.each(paths)("interrupted anywhere ($name)", (path) => {
  it.effect("a call interrupted after any one of its steps ends what it started: its spans, its metrics", () => {
    // instant: the transport forks no fiber, so every step of the call is on the one fiber the tracer counts
    const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")), { instant: true })
    return withClient(mem, {}, (client) =>
      Effect.gen(function*() {
        const started = Effect.map(Metric.value(Metrics.requests), (s) => s.count)
        const ended = Effect.map(Metric.value(Metrics.latency), (s) => s.count)
        const before = { started: yield* started, ended: yield* ended }
        let interruptedMidCall = 0
        let completedAt: number | undefined
        for (let step = 1; step <= MAX_STEPS && completedAt === undefined; step++) {
          const spans: Array<RecordedSpan> = []
          const exit = yield* Fiber.await(
            yield* Effect.fork(Effect.withTracer(client.json(get), interruptingTracer(spans, step)))
          )
          if (Exit.isSuccess(exit)) completedAt = step
          else if (spans.length > 0) interruptedMidCall++
          const open = spans.filter((s) => !s.ended).map((s) => s.name)
          strictEqual(open.join(", "), "", `interrupted after step ${step}: spans left open`)
        }
        const calls = { started: (yield* started) - before.started, ended: (yield* ended) - before.ended }
        strictEqual(calls.ended, calls.started, `calls started and not ended ${JSON.stringify(calls)}`)
        assertTrue(calls.started > 10)
        assertTrue(completedAt !== undefined, `no call completed within ${MAX_STEPS} steps`)
        // the sweep reached inside calls (a span open), not only before them
        assertTrue(interruptedMidCall > 10, `only ${interruptedMidCall} calls interrupted mid-way`)
      }), path)
  })
})
