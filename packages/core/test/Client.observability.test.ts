import * as ConfigProvider from "#line/ConfigProvider"
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Layer from "#line/Layer"
import { withLogLines } from "#line/logLines"
import * as Metric from "#line/Metric"
import { requestError } from "#line/platformError"
import * as TestClock from "#line/TestClock"
import { countForks } from "#testline/forks"
import { type RecordedSpan as Recorded, recordingTracer } from "#testline/recordingTracer"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client, Metrics, type Transport } from "@steadfast/core"
import { after, expectFailure, expectSuccess, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/items?token=s3cret")
const reset = { fail: Mem.nodeError("ECONNRESET", { syscall: "read" }) }
const twoRetries = { retries: 2, backoff: { base: "100 millis", jitter: "none" } } as const

describe("observability", () => {
  it.effect("one span per request, an event per retry, no secret in attributes", () =>
    Effect.gen(function*() {
      const spans: Array<Recorded> = []
      const mem = Mem.make(Mem.sequence(reset, reset, Mem.json(200, "ok")))
      const result = yield* after(
        Effect.withTracer(withClient(mem, { retry: twoRetries }, (c) => c.json(get)), recordingTracer(spans)),
        "1 second"
      )
      strictEqual(expectSuccess(result), "ok")
      // the call's span; each of the three attempts has its own child span of kind client
      const requestSpans = spans.filter((s) => s.name === "GET" && s.kind === "internal")
      strictEqual(requestSpans.length, 1)
      strictEqual(spans.filter((s) => s.name === "GET" && s.kind === "client").length, 3)
      const span = requestSpans[0]!
      strictEqual(span.ended, true)
      strictEqual(span.attributes.get("http.response.status_code"), 200)
      strictEqual(span.attributes.get("steadfast.attempts"), 3)
      strictEqual(String(span.attributes.get("url.full")).includes("s3cret"), false)
      deepStrictEqual(
        span.events.filter((e) => e.name === "steadfast.retry").map((
          e
        ) => [
          e.name,
          e.attributes["steadfast.attempt"],
          e.attributes["steadfast.error"],
          e.attributes["steadfast.delay_ms"]
        ]),
        [["steadfast.retry", 1, "ConnectionReset", 100], ["steadfast.retry", 2, "ConnectionReset", 200]]
      )
    }))

  it.effect("spans can be turned off per client", () =>
    Effect.gen(function*() {
      const spans: Array<Recorded> = []
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      yield* after(
        Effect.withTracer(withClient(mem, { spans: false }, (c) => c.json(get)), recordingTracer(spans)),
        "1 second"
      )
      strictEqual(spans.filter((s) => s.name === "GET").length, 0)
    }))

  it.effect("a Debug line per retry, with the url redacted", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const mem = Mem.make(Mem.sequence(reset, Mem.json(503, {}), Mem.json(200, "ok")))
      yield* after(
        withClient(mem, { retry: twoRetries }, (c) => c.json(get)).pipe(
          withLogLines("Debug", (line, level) => {
            if (level === "Debug") lines.push(line)
          })
        ),
        "1 second"
      )
      // (the history line at the end is Debug too)
      lines.pop()
      deepStrictEqual(lines, [
        "GET http://api.test/items?token=<redacted>: attempt 1 failed with ConnectionReset; retrying in 100ms",
        "GET http://api.test/items?token=<redacted>: attempt 2 failed with StatusError 503; retrying in 200ms"
      ])
    }))

  it.effect("metrics count requests, retries and errors by tag", () =>
    Effect.gen(function*() {
      const count = (metric: typeof Metrics.requests, tags: ReadonlyArray<readonly [string, string]> = []) =>
        Effect.map(
          Metric.value(tags.reduce((m, [k, v]) => Metric.tagged(m, k, v), metric)),
          (state) => state.count
        )
      const before = {
        requests: yield* count(Metrics.requests),
        retries: yield* count(Metrics.retries, [["error", "ConnectionReset"]]),
        errors: yield* count(Metrics.errors, [["error", "ConnectionReset"]])
      }
      const mem = Mem.make(Mem.sequence(reset))
      const result = yield* after(withClient(mem, { retry: twoRetries }, (c) => c.json(get)), "1 second")
      expectFailure(result, "ConnectionReset")
      strictEqual((yield* count(Metrics.requests)) - before.requests, 1)
      strictEqual((yield* count(Metrics.retries, [["error", "ConnectionReset"]])) - before.retries, 2)
      strictEqual((yield* count(Metrics.errors, [["error", "ConnectionReset"]])) - before.errors, 1)
      const latency = yield* Metric.value(Metrics.latency)
      strictEqual(latency.count >= 1, true)
    }))

  it.effect("a stale-connection re-send: a span event, a metric, a Debug line, the transport told", () =>
    Effect.gen(function*() {
      const spans: Array<Recorded> = []
      const lines: Array<string> = []
      const told: Array<string> = []
      let sent = 0
      // the first attempt goes out on a reused connection the server had closed
      const transport: Transport.Transport = {
        tracksConnect: true,
        onResend: (reason, url) => void told.push(`${reason} ${url.pathname}`),
        send: (request, _url, attempt) =>
          Effect.suspend(() => {
            attempt.connected(sent === 0)
            attempt.written()
            if (sent++ === 0) {
              return Effect.fail(
                requestError({ request, reason: "Transport", cause: Mem.nodeError("ECONNRESET") })
              )
            }
            return Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(request)).pipe(
              Effect.provideService(HttpClient.HttpClient, Mem.make(Mem.sequence(Mem.json(200, "ok"))).genericClient)
            )
          })
      }
      const resends = Metric.value(Metric.tagged(Metrics.resends, "reason", "stale-socket"))
      const before = (yield* resends).count
      const value = yield* Effect.scoped(
        Effect.flatMap(Client.makeWithTransport(transport, { retry: { retries: 0 } }), (c) => c.json(get))
      ).pipe(
        Effect.withTracer(recordingTracer(spans)),
        withLogLines("Debug", (line, level) => {
          if (level === "Debug") lines.push(line)
        })
      )
      strictEqual(value, "ok")
      strictEqual((yield* resends).count - before, 1)
      deepStrictEqual(told, ["stale-socket /items"])
      const span = spans.find((s) => s.name === "GET" && s.kind === "internal")!
      // (log lines inside the span are events too)
      deepStrictEqual(
        span.events.filter((e) => e.name.startsWith("steadfast.")).map((
          e
        ) => [e.name, e.attributes["steadfast.reason"]]),
        [["steadfast.resend", "stale-socket"]]
      )
      strictEqual(span.attributes.get("steadfast.attempts"), 2)
      strictEqual(lines.some((l) => l.includes("the reused connection was closed by the server")), true)
    }))

  it.effect("the happy path forks no fiber (direct transport)", () =>
    Effect.gen(function*() {
      const mem = Mem.make(() => Effect.succeed(Mem.json(200, { ok: true })), { instant: true })
      const count = { started: 0, ended: 0 }
      const results = yield* Effect.gen(function*() {
        const client = yield* Client.Client
        return yield* Effect.forEach(
          Array.from({ length: 50 }, () => get),
          (request) => countForks(count)(client.json(request))
        )
      }).pipe(
        Effect.provide(Client.layer()),
        Effect.provide(Layer.succeed(HttpClient.HttpClient, mem.client))
      )
      strictEqual(results.length, 50)
      strictEqual(count.started, 0)
    }))

  it.effect("a retry does not fork a fiber either (the backoff is a sleep on the request's fiber)", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")), { instant: true })
      // the clock moved once first: Effect 4's TestClock forks a fiber of its own (a warning that the test waits
      // while nobody moves the clock) at the first sleep before that, which is not the client's
      yield* TestClock.adjust(0)
      const count = { started: 0, ended: 0 }
      const result = yield* after(
        withClient(mem, { retry: twoRetries, spans: false }, (c) => countForks(count)(c.json(get))),
        "1 second"
      )
      strictEqual(expectSuccess(result), "ok")
      strictEqual(count.started, 0)
    }))

  it.effect("layerConfig reads options from the environment's Config", () =>
    Effect.gen(function*() {
      const provider = ConfigProvider.fromMap(
        new Map([["STEADFAST_RETRIES", "0"], ["STEADFAST_TIMEOUT_RESPONSE", "1 second"], [
          "STEADFAST_MAX_BODY_SIZE",
          "10"
        ]]),
        { pathDelim: "_" }
      )
      const mem = Mem.make(Mem.sequence("hang"))
      const program = Effect.flatMap(Client.Client, (c) => Effect.succeed(c.settings)).pipe(
        Effect.provide(Client.layerConfig()),
        Effect.provide(Layer.succeed(HttpClient.HttpClient, mem.client)),
        Effect.withConfigProvider(provider)
      )
      const settings = yield* program
      strictEqual(settings.retry.enabled, false)
      strictEqual(settings.maxBodySize, 10)
      const timedOut = yield* after(
        Effect.flatMap(Client.Client, (c) => c.json(get)).pipe(
          Effect.provide(Client.layerConfig()),
          Effect.provide(Layer.succeed(HttpClient.HttpClient, mem.client)),
          Effect.withConfigProvider(provider)
        ),
        "1 second"
      )
      strictEqual(expectFailure(timedOut, "ResponseTimeout").timeoutMs, 1000)
    }))

  it.effect("layerConfig overrides merge timeouts field by field and skip undefined fields", () =>
    Effect.gen(function*() {
      const provider = ConfigProvider.fromMap(
        new Map([["STEADFAST_TIMEOUT_CONNECT", "2 seconds"], ["STEADFAST_MAX_BODY_SIZE", "10"]]),
        { pathDelim: "_" }
      )
      const mem = Mem.make(Mem.sequence("hang"))
      const settings = yield* Effect.flatMap(Client.Client, (c) => Effect.succeed(c.settings)).pipe(
        Effect.provide(
          Client.layerConfig({ overrides: { timeouts: { response: "5 seconds" }, maxBodySize: undefined } })
        ),
        Effect.provide(Layer.succeed(HttpClient.HttpClient, mem.client)),
        Effect.withConfigProvider(provider)
      )
      strictEqual(Duration.toMillis(settings.timeouts.connect), 2000)
      strictEqual(Duration.toMillis(settings.timeouts.response), 5000)
      strictEqual(settings.maxBodySize, 10)
    }))

  it.effect("layerConfig fails with a ConfigError naming a bad value", () =>
    Effect.gen(function*() {
      const provider = ConfigProvider.fromMap(new Map([["STEADFAST_TIMEOUT_CONNECT", "soon"]]), { pathDelim: "_" })
      const mem = Mem.make(Mem.sequence("hang"))
      const exit = yield* Effect.exit(
        Effect.flatMap(Client.Client, (c) => Effect.succeed(c.settings)).pipe(
          Effect.provide(Client.layerConfig()),
          Effect.provide(Layer.succeed(HttpClient.HttpClient, mem.client)),
          Effect.withConfigProvider(provider)
        )
      )
      strictEqual(Exit.isFailure(exit), true)
      strictEqual(String(Exit.isFailure(exit) ? exit.cause : "").includes("soon"), true)
    }))

  it.effect("the client closes its scheduler with its scope", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      const count = { started: 0, ended: 0 }
      yield* countForks(count)(withClient(mem, {}, (c) => c.json(get)))
      // the scheduler's fibers are gone once the layer's scope closed
      strictEqual(count.started > 0, true)
      strictEqual(count.ended, count.started)
    }))
})
