import * as Effect from "#line/Effect"
import * as Fiber from "#line/Fiber"
import { HttpClient, HttpClientRequest } from "#line/http"
import * as LogLines from "#line/logLines"
import { withLogEntries } from "#line/logLines"
import * as Metric from "#line/Metric"
import * as MetricLabel from "#line/MetricLabel"
import * as TestClock from "#line/TestClock"
import { type RecordedSpan as Recorded, recordingTracer } from "#testline/recordingTracer"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client, Metrics } from "@steadfast/core"
import { after, expectFailure, expectSuccess, paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
const get = HttpClientRequest.get("http://api.test/items?token=s3cret")
const reset = { fail: Mem.nodeError("ECONNRESET", { syscall: "read" }) }
const quick = { retries: 2, backoff: { base: "100 millis", jitter: "none" } } as const

/** A tracer with W3C-shaped ids (trace TRACE) that records every span. */
const recording = (spans: Array<Recorded>) => recordingTracer(spans, TRACE)

const sends = (spans: ReadonlyArray<Recorded>) => spans.filter((s) => s.kind === "client")

describe.each(paths)("trace context ($name)", (path) => {
  it.effect("each attempt carries a traceparent naming its own span (w3c only by default)", () =>
    Effect.gen(function*() {
      const spans: Array<Recorded> = []
      const mem = Mem.make(Mem.sequence(reset, Mem.json(503, {}), Mem.json(200, "ok")))
      const result = yield* after(
        Effect.withTracer(withClient(mem, { retry: quick }, (c) => c.json(get), path), recording(spans)),
        "1 second"
      )
      strictEqual(expectSuccess(result), "ok")
      const attempts = sends(spans)
      strictEqual(attempts.length, 3)
      deepStrictEqual(
        mem.requests.map((r) => r.headers["traceparent"]),
        attempts.map((s) => `00-${TRACE}-${s.spanId}-01`)
      )
      // nothing else: no b3 (the platform client's own headers are off on the generic path), no tracestate
      deepStrictEqual(mem.requests.map((r) => [r.headers["b3"], r.headers["tracestate"]]), [
        [undefined, undefined],
        [undefined, undefined],
        [undefined, undefined]
      ])
      // one call span above the attempts, and no span of the platform client
      const call = spans.filter((s) => s.kind === "internal")
      strictEqual(call.length, 1)
      deepStrictEqual(attempts.map((s) => s.parentId), [call[0]!.spanId, call[0]!.spanId, call[0]!.spanId])
      strictEqual(spans.some((s) => s.name.startsWith("http.client")), false)
      strictEqual(spans.every((s) => s.ended), true)
    }))

  it.effect("spans follow the HTTP client conventions: name, attributes, resend count, error.type", () =>
    Effect.gen(function*() {
      const spans: Array<Recorded> = []
      const mem = Mem.make(Mem.sequence(reset, Mem.json(503, {})))
      const result = yield* after(
        Effect.withTracer(withClient(mem, { retry: quick }, (c) => c.json(get), path), recording(spans)),
        "1 second"
      )
      expectFailure(result, "StatusError")
      const attempts = sends(spans)
      deepStrictEqual(
        attempts.map((s) => [
          s.name,
          s.attributes.get("http.request.method"),
          s.attributes.get("server.address"),
          s.attributes.get("server.port"),
          s.attributes.get("url.full"),
          s.attributes.get("http.response.status_code"),
          s.attributes.get("error.type"),
          s.attributes.get("http.request.resend_count")
        ]),
        [
          [
            "GET",
            "GET",
            "api.test",
            80,
            "http://api.test/items?token=<redacted>",
            undefined,
            "ConnectionReset",
            undefined
          ],
          ["GET", "GET", "api.test", 80, "http://api.test/items?token=<redacted>", 503, "503", 1],
          ["GET", "GET", "api.test", 80, "http://api.test/items?token=<redacted>", 503, "503", 2]
        ]
      )
      const call = spans.find((s) => s.kind === "internal")!
      deepStrictEqual(
        [call.name, call.attributes.get("error.type"), call.attributes.get("http.response.status_code")],
        ["GET", "503", 503]
      )
    }))

  it.effect("the call span is the parent of what the request runs; the caller's span is current again after it", () =>
    Effect.gen(function*() {
      const spans: Array<Recorded> = []
      const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")))
      const inHook: Array<string | undefined> = []
      const options: Client.Options = {
        retry: quick,
        hooks: {
          beforeAttempt: ({ request }) =>
            Effect.withSpan(
              Effect.map(Effect.orDie(Effect.currentSpan), (span) => {
                inHook.push(span.parent._tag === "Some" ? span.parent.value.spanId : undefined)
                return request
              }),
              "hook"
            )
        }
      }
      const run = Effect.withSpan(
        withClient(
          mem,
          options,
          (c) =>
            Effect.flatMap(
              c.json(get),
              (value) => Effect.map(Effect.currentSpan, (span) => [value, span.spanId] as const)
            ),
          path
        ),
        "caller"
      )
      const result = yield* after(Effect.withTracer(run, recording(spans)), "1 second")
      const [value, currentAfter] = expectSuccess(result)
      strictEqual(value, "ok")
      const caller = spans.find((s) => s.name === "caller")!
      const call = spans.find((s) => s.kind === "internal" && s.name === "GET")!
      strictEqual(call.parentId, caller.spanId)
      // both attempts' hooks ran under the call span; the caller's span is current again afterwards
      deepStrictEqual(inHook, [call.spanId, call.spanId])
      strictEqual(currentAfter, caller.spanId)
      strictEqual(spans.every((s) => s.ended), true)
    }))

  it.effect("an interrupted request ends its call span and its send's span", () =>
    Effect.gen(function*() {
      const spans: Array<Recorded> = []
      const mem = Mem.make(Mem.sequence("hang"))
      const fiber = yield* Effect.fork(
        Effect.withTracer(withClient(mem, {}, (c) => c.json(get), path), recording(spans))
      )
      yield* TestClock.adjust("10 millis")
      strictEqual(spans.length, 2)
      strictEqual(spans.some((s) => s.ended), false)
      yield* Fiber.interrupt(fiber)
      deepStrictEqual(spans.map((s) => [s.kind, s.ended]), [["internal", true], ["client", true]])
    }))

  it.effect("b3 as well when asked; none with propagation off, per client or per request", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      const run = (options: Client.Options, f: (c: Client.ResilientClient) => Client.ResilientClient = (c) => c) =>
        Effect.withTracer(withClient(mem, options, (c) => f(c).json(get), path), recording([]))
      yield* run({ propagation: { formats: ["w3c", "b3"] } })
      yield* run({ propagation: false })
      yield* run({}, (c) => Client.withOptions(c, { propagation: false }))
      yield* run({ propagation: { formats: [] } })
      deepStrictEqual(mem.requests.map((r) => [r.headers["traceparent"] !== undefined, r.headers["b3"]]), [
        [true, `${TRACE}-0000000000000002-1`],
        [false, undefined],
        [false, undefined],
        [false, undefined]
      ])
    }))

  it.effect("the platform's switch turns it off for one effect; a request's own traceparent is kept", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      const own = `00-${TRACE}-00f067aa0ba902b7-01`
      yield* Effect.withTracer(
        withClient(mem, {}, (c) =>
          Effect.zipRight(
            Effect.locally(c.json(get), HttpClient.currentTracerPropagation, false),
            c.json(HttpClientRequest.setHeader(get, "traceparent", own))
          ), path),
        recording([])
      )
      deepStrictEqual(mem.requests.map((r) => r.headers["traceparent"]), [undefined, own])
    }))

  it.effect("only listed origins get the headers, hop by hop across a redirect", () =>
    Effect.gen(function*() {
      const mem = Mem.make((request) =>
        Effect.succeed(
          request.url.hostname === "api.test"
            ? { status: 302, headers: { location: "http://cdn.test/items" } }
            : Mem.json(200, "ok")
        )
      )
      const spans: Array<Recorded> = []
      yield* Effect.withTracer(
        withClient(mem, { propagation: { origins: ["http://api.test"] } }, (c) => c.json(get), path),
        recording(spans)
      )
      deepStrictEqual(mem.requests.map((r) => [r.url.host, r.headers["traceparent"] !== undefined]), [
        ["api.test", true],
        ["cdn.test", false]
      ])
      // each hop is a send of its own: the second counts as a re-send
      deepStrictEqual(
        sends(spans).map((s) => [s.attributes.get("server.address"), s.attributes.get("http.request.resend_count")]),
        [
          ["api.test", undefined],
          ["cdn.test", 1]
        ]
      )
    }))

  it.effect("requests to other origins in turn: each span names its own address, port and scheme", () =>
    Effect.gen(function*() {
      const mem = Mem.make(() => Effect.succeed(Mem.json(200, "ok")))
      const spans: Array<Recorded> = []
      const urls = ["http://api.test/a", "https://[::1]:8443/b", "http://api.test:8080/c", "http://api.test/d"]
      yield* Effect.withTracer(
        withClient(mem, {}, (c) => Effect.forEach(urls, (url) => c.json(HttpClientRequest.get(url))), path),
        recording(spans)
      )
      const where = (kind: string) =>
        spans.filter((s) => s.kind === kind).map((s) => [
          s.attributes.get("server.address"),
          s.attributes.get("server.port"),
          s.attributes.get("url.scheme")
        ])
      const expected = [["api.test", 80, "http"], ["::1", 8443, "https"], ["api.test", 8080, "http"], [
        "api.test",
        80,
        "http"
      ]]
      deepStrictEqual(where("internal"), expected)
      deepStrictEqual(where("client"), expected)
    }))

  it.effect("with spans off, the caller's span is propagated; with the tracer off, nothing", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      const spans: Array<Recorded> = []
      yield* Effect.withTracer(
        Effect.withSpan(withClient(mem, { spans: false }, (c) => c.json(get), path), "caller"),
        recording(spans)
      )
      yield* Effect.withTracerEnabled(withClient(mem, {}, (c) => c.json(get), path), false)
      deepStrictEqual(spans.map((s) => s.name), ["caller"])
      deepStrictEqual(mem.requests.map((r) => r.headers["traceparent"]), [
        `00-${TRACE}-${spans[0]!.spanId}-01`,
        undefined
      ])
    }))
})

describe("http.client.request.duration", () => {
  it.effect("one point per request on the wire, in seconds, with the convention's attributes", () =>
    Effect.gen(function*() {
      const tagged = (status: string | undefined, error: string | undefined) => {
        const labels = [
          MetricLabel.make("http.request.method", "GET"),
          MetricLabel.make("server.address", "duration.test"),
          MetricLabel.make("server.port", "80"),
          MetricLabel.make("url.scheme", "http"),
          ...(status === undefined ? [] : [MetricLabel.make("http.response.status_code", status)]),
          ...(error === undefined ? [] : [MetricLabel.make("error.type", error)])
        ]
        return Metric.value(Metric.taggedWithLabels(Metrics.requestDuration, labels))
      }
      const mem = Mem.make((request) =>
        Effect.as(
          Effect.sleep(request.index === 0 ? "300 millis" : "20 millis"),
          request.index === 0 ? { status: 503 } : Mem.json(200, "ok")
        ), { connectDelay: () => undefined })
      const result = yield* after(
        withClient(
          mem,
          { retry: quick },
          (c) => c.json(HttpClientRequest.get("http://duration.test/a"))
        ),
        "5 seconds"
      )
      strictEqual(expectSuccess(result), "ok")
      const failed = yield* tagged("503", "503")
      const ok = yield* tagged("200", undefined)
      deepStrictEqual([failed.count, failed.sum, ok.count, ok.sum], [1, 0.3, 1, 0.02])
      strictEqual(failed.min, 0.3)
    }))

  it.effect("nothing when metrics are off", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      yield* withClient(mem, { metrics: false }, (c) => c.json(HttpClientRequest.get("http://off.test/")))
      const state = yield* Metric.value(Metric.taggedWithLabels(Metrics.requestDuration, [
        MetricLabel.make("http.request.method", "GET"),
        MetricLabel.make("server.address", "off.test"),
        MetricLabel.make("server.port", "80"),
        MetricLabel.make("url.scheme", "http"),
        MetricLabel.make("http.response.status_code", "200")
      ]))
      strictEqual(state.count, 0)
    }))
})

interface Line {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
}

type Level = Parameters<typeof withLogEntries>[0]

const capture = (lines: Array<Line>, level: Level) =>
  withLogEntries(level, ({ annotations, level, message }) => {
    lines.push({ level, message: Array.isArray(message) ? message.join(" ") : String(message), annotations })
  })

describe("logging", () => {
  const run = (lines: Array<Line>, level: Level, options: Client.Options = {}) =>
    after(
      withClient(
        Mem.make(Mem.sequence(reset, Mem.json(200, "ok"))),
        { retry: quick, ...options },
        (c) => Effect.zipRight(c.json(get), c.json(get))
      ).pipe(capture(lines, level)),
      "1 second"
    )

  it.effect.each<Level>(["Info", LogLines.Warning, "Error"])(
    "at %s, nothing on the happy or the retry path",
    (level) =>
      Effect.gen(function*() {
        const lines: Array<Line> = []
        strictEqual(expectSuccess(yield* run(lines, level)), "ok")
        deepStrictEqual(lines, [])
      })
  )

  it.effect("at Debug, the retry with its annotations (attempt, delay, tag, origin), and the history", () =>
    Effect.gen(function*() {
      const lines: Array<Line> = []
      yield* run(lines, "Debug")
      deepStrictEqual(lines.map((l) => l.level), ["Debug", "Debug"])
      deepStrictEqual(lines[0]!.annotations, {
        "steadfast.attempt": 1,
        "steadfast.error": "ConnectionReset",
        "steadfast.delay_ms": 100,
        "steadfast.reason": "policy",
        "steadfast.origin": "http://api.test"
      })
      strictEqual(lines[0]!.message.includes("s3cret"), false)
      strictEqual(lines[1]!.message.startsWith("GET http://api.test/items?token=<redacted>: 2 attempts"), true)
    }))

  it.effect("retryLogLevel puts the retry line at another level", () =>
    Effect.gen(function*() {
      const lines: Array<Line> = []
      yield* run(lines, "Info", { retryLogLevel: "Info" })
      deepStrictEqual(lines.map((l) => [l.level, l.annotations["steadfast.error"]]), [["Info", "ConnectionReset"]])
    }))

  it.effect("an invalid propagation or log level option is an InvalidOptions naming it", () =>
    Effect.gen(function*() {
      deepStrictEqual(
        [
          Client.validate({ propagation: { formats: ["jaeger" as never] } })?.option,
          Client.validate({ propagation: { origins: ["https://api.test/v1"] } })?.option,
          Client.validate({ propagation: { origins: "some" as never } })?.option,
          Client.validate({ retryLogLevel: "Verbose" as never })?.option,
          Client.validate({ propagation: { formats: ["w3c", "b3"], origins: ["http://127.0.0.1:8080"] } })
        ],
        ["propagation.formats[0]", "propagation.origins[0]", "propagation.origins", "retryLogLevel", undefined]
      )
    }))
})
