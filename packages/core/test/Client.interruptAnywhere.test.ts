/**
 * An interruption can land between any two steps of a fiber: another fiber
 * sends it, and the runtime takes it before the next step (a fiber yields to
 * the scheduler now and then, so one can land anywhere). Wherever it lands
 * in a call, what the call started is ended: its spans, its start counted
 * in `steadfast_requests_total` with its latency recorded (the end's
 * metric), the bulkhead's slot, a body stream it will not send. The
 * sweep interrupts a call after its 1st, 2nd, 3rd … step, until a call
 * completes before the interruption comes; each scenario (a plain answer, a retry, a redirect, a bulkhead, a body
 * that is a stream) takes its own steps.
 */
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import { HttpBody, HttpClientRequest } from "#line/http"
import * as Metric from "#line/Metric"
import { type RecordedSpan, recordingTracer } from "#testline/recordingTracer"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Bulkhead, type Client, Metrics } from "@steadfast/core"
import { paths, withClient } from "./helpers/harness.js"
import { interruptingTracer } from "./helpers/interruptingTracer.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/items")
/** Far more steps than one call takes: the sweep stops at the first call that completes. */
const MAX_STEPS = 5000

interface Scenario {
  readonly name: string
  /** A fresh server for each call of the sweep (a sequence starts over). */
  readonly server: () => Mem.Handler
  readonly options?: Client.Options
  /** A fresh request for each call (`get` by default): whether the call let go of its body stream, got its answer. */
  readonly request?: () => {
    readonly request: HttpClientRequest.HttpClientRequest
    readonly released: () => boolean
    readonly answered: () => boolean
  }
  /** What else must be back where it was after each call. */
  readonly settled?: Effect.Effect<void>
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
  { name: "a plain answer", server: () => Mem.sequence(Mem.json(200, "ok")) },
  {
    name: "a 503 and a retry",
    server: () => Mem.sequence(Mem.json(503, {}), Mem.json(200, "ok")),
    options: { retry: retryOnce }
  },
  {
    name: "a redirect",
    server: () => (request) =>
      Effect.succeed(
        request.url.pathname === "/items"
          ? { status: 302, headers: { location: "/moved" } }
          : Mem.json(200, "ok")
      )
  },
  {
    name: "a bulkhead",
    server: () => Mem.sequence(Mem.json(200, "ok")),
    options: { policies: [bulkhead] },
    settled: Effect.map(
      Bulkhead.state(bulkhead, "http://api.test"),
      (s) => deepStrictEqual({ inFlight: s.inFlight, queued: s.queued }, { inFlight: 0, queued: 0 })
    )
  },
  bodyStream()
]

/**
 * A POST whose body is a stream (what the call asks of one it will not send:
 * `destroy`, as a Node `Readable` has it), and whether the call got its
 * answer (`afterAttempt` told of a success: the body went to the transport).
 */
function bodyStream(): Scenario {
  let answered = false
  return {
    name: "a body that is a stream",
    server: () => Mem.sequence(Mem.json(200, "ok")),
    options: {
      hooks: { afterAttempt: ({ error }) => Effect.sync(() => void (answered ||= error === undefined)) }
    },
    request: () => {
      answered = false
      const stream = { destroyed: false, destroy: () => void (stream.destroyed = true) }
      return {
        request: HttpClientRequest.post("http://api.test/items").pipe(HttpClientRequest.setBody(HttpBody.raw(stream))),
        released: () => stream.destroyed,
        answered: () => answered
      }
    }
  }
}

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
        let releasedBeforeBegun = 0
        let completedAt: number | undefined
        for (let step = 1; step <= MAX_STEPS && completedAt === undefined; step++) {
          const spans: Array<RecordedSpan> = []
          // instant: the transport forks no fiber, so every step of the call is on the one fiber the tracer counts
          const mem = Mem.make(scenario.server(), { instant: true })
          const sent = scenario.request?.()
          const startedBefore = yield* count.started
          const exit = yield* withClient(mem, scenario.options ?? {}, (client) =>
            Effect.gen(function*() {
              const call = client.json(sent?.request ?? get)
              const fiber = yield* Effect.fork(
                Effect.withTracer(call, interruptingTracer(recordingTracer(spans), step))
              )
              return yield* Fiber.await(fiber)
            }), path)
          if (Exit.isSuccess(exit)) completedAt = step
          else if (spans.length > 0) interruptedMidCall++
          if (sent !== undefined && Exit.isFailure(exit)) {
            const began = (yield* count.started) > startedBefore
            const released = sent.released()
            // a call that began and was interrupted before its answer lets go of the body stream it will not send
            if (began && !sent.answered()) assertTrue(released, `interrupted after step ${step}: body stream left open`)
            // so does one interrupted in its region before it began: the sweep must find such a step
            if (!began && released) releasedBeforeBegun++
          }
          const open = spans.filter((s) => !s.ended).map((s) => s.name)
          strictEqual(open.join(", "), "", `interrupted after step ${step}: spans left open`)
          if (scenario.settled !== undefined) yield* scenario.settled
        }
        const calls = { started: (yield* count.started) - before.started, ended: (yield* count.ended) - before.ended }
        strictEqual(calls.ended, calls.started, `calls started and not ended: ${JSON.stringify(calls)}`)
        if (scenario.request !== undefined) {
          assertTrue(releasedBeforeBegun > 0, "no call let go of its body before it began")
        }
        assertTrue(completedAt !== undefined, `no call completed within ${MAX_STEPS} steps`)
        // the sweep reached inside calls (a span open), not only before them
        assertTrue(interruptedMidCall > 10, `only ${interruptedMidCall} calls interrupted mid-way`)
      })
  )
})
