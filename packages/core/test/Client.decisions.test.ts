/**
 * Decisions made visible: the attempt history on success (`withHistory`) and
 * at Debug in the logs, the clause of every "not retried" message, a retry
 * after a redirect, and the seam where policies plug in around attempts.
 */
import * as Effect from "#line/Effect"
import * as LogLevel from "#line/LogLevel"
import { withLogLines } from "#line/logLines"
import { requestError } from "#line/platformError"
import * as Stream from "#line/Stream"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, Errors, Retry } from "@steadfast/core"
import { run } from "../src/internal/call.js"
import { LabelSets } from "../src/internal/labelSets.js"
import type { Compiled } from "../src/internal/policy.js"
import { decidePolicy } from "../src/internal/policy.js"
import { DeadlineScheduler } from "../src/internal/scheduler.js"
import { rules } from "../src/internal/url.js"
import * as Transport from "../src/Transport.js"
import { after, expectFailure, expectSuccess, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/items")
const post = HttpClientRequest.post("http://api.test/orders").pipe(HttpClientRequest.bodyText("{}"))
const reset = { fail: Mem.nodeError("ECONNRESET", { syscall: "read" }) }
const quick = { retries: 3, backoff: { base: "100 millis", jitter: "none" } } as const

describe("decisions", () => {
  it.effect("withHistory: the value and every attempt, the one that succeeded last", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset, Mem.json(503, {}), Mem.json(200, [1])))
      const result = yield* after(
        withClient(mem, { retry: quick }, (c) => Client.withHistory(c.json(get))),
        "1 minute"
      )
      const [value, history] = expectSuccess(result)
      expect(value).toEqual([1])
      expect(history.map((h) => [h.attempt, h.tag, h.status, h.decision, h.reason, h.delayMs, h.phase])).toEqual([
        [1, "ConnectionReset", undefined, "retry", "policy", 100, "written"],
        [2, "StatusError", 503, "retry", "policy", 200, "body"],
        [3, "Success", 200, undefined, undefined, 0, "body"]
      ])
    }))

  it.effect("withHistory: one record for a first-time success", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      const [, history] = expectSuccess(
        yield* after(withClient(mem, {}, (c) => Client.withHistory(c.text(get))), "1 second")
      )
      expect(history.map((h) => [h.attempt, h.tag, h.status])).toEqual([[1, "Success", 200]])
    }))

  it.effect("the history of a call with retries is logged at Debug when it ends", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const mem = Mem.make(Mem.sequence(reset, Mem.json(200, "ok")))
      yield* after(
        withClient(mem, { retry: quick }, (c) => c.json(get)).pipe(
          withLogLines("Debug", (line, level) => {
            if (level === "Debug") lines.push(line)
          })
        ),
        "1 second"
      )
      expect(lines).toEqual([
        // the retry's own line (Debug too), then the history
        "GET http://api.test/items: attempt 1 failed with ConnectionReset; retrying in 100ms",
        "GET http://api.test/items: 2 attempts: #1 ConnectionReset (written) -> retry: policy in 100ms; " +
        "#2 Success 200 (body)"
      ])
    }))

  describe("every 'not retried' message says why and how to change it", () => {
    it.effect("a POST that may have reached the server", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(reset, Mem.json(201, {})))
        const error = expectFailure(
          yield* after(withClient(mem, {}, (c) => c.json(post)), "1 minute"),
          "ConnectionReset"
        )
        expect(error.history.at(-1)).toMatchObject({ decision: "give-up", reason: "not-idempotent" })
        expect(error.message).toContain(
          "Not retried: POST may have reached the server; add an Idempotency-Key header or set " +
            "retry.retryNonIdempotent."
        )
        expect(mem.requests.length).toBe(1)
      }))

    it.effect("retries off", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(reset))
        const error = expectFailure(
          yield* after(withClient(mem, { retry: Retry.none }, (c) => c.json(get)), "1 minute"),
          "ConnectionReset"
        )
        expect(Errors.notRetried(error)).toBe(
          "not retried: retries are off (retry.retries is 0); raise retry.retries to retry it"
        )
      }))

    it.effect("a body that cannot be sent twice", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(reset))
        const streamed = HttpClientRequest.put("http://api.test/file").pipe(
          HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("x")))
        )
        const error = expectFailure(
          yield* after(withClient(mem, {}, (c) => c.json(streamed)), "1 minute"),
          "ConnectionReset"
        )
        expect(error.message).toContain("Not retried: the request body was a stream that was already sent")
      }))

    it.effect("a Retry-After longer than allowed", () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(Mem.json(503, {}, { "retry-after": "120" })))
        const error = expectFailure(yield* after(withClient(mem, {}, (c) => c.json(get)), "1 minute"), "StatusError")
        expect(error.message).toContain("Not retried: the server's Retry-After is longer than retry.retryAfterMax")
      }))

    it.effect("the retry budget", () =>
      Effect.gen(function*() {
        const budget = { request: () => {}, withdraw: () => false }
        const mem = Mem.make(Mem.sequence(reset))
        const error = expectFailure(
          yield* after(withClient(mem, { retry: { ...quick, budget } }, (c) => c.json(get)), "1 minute"),
          "ConnectionReset"
        )
        expect(error.history.at(-1)).toMatchObject({ decision: "give-up", reason: "budget" })
        expect(error.message).toContain("Not retried: the retry budget is spent")
      }))

    it.effect("nothing to explain for a status that is not retried, or retries that ran out", () =>
      Effect.gen(function*() {
        const notFound = expectFailure(
          yield* after(withClient(Mem.make(Mem.sequence(Mem.json(404, {}))), {}, (c) => c.json(get)), "1 minute"),
          "StatusError"
        )
        expect(Errors.notRetried(notFound)).toBeUndefined()
        const spent = expectFailure(
          yield* after(withClient(Mem.make(Mem.sequence(reset)), { retry: quick }, (c) => c.json(get)), "1 minute"),
          "ConnectionReset"
        )
        expect(Errors.notRetried(spent)).toBeUndefined()
        expect(spent.message).toContain("after 4 attempts")
      }))
  })

  it.effect("a retry after a redirected hop follows the same redirect again (not a loop)", () =>
    Effect.gen(function*() {
      const mem = Mem.make((request) =>
        Effect.sync(() => {
          request.connected()
          if (request.url.pathname === "/a") return { status: 302, headers: { location: "/b" } }
          // /b fails the first time, then answers
          return mem.requests.filter((r) => r.url.pathname === "/b").length === 1
            ? { status: 503 }
            : { status: 200, body: "b" }
        })
      )
      const result = yield* after(
        withClient(mem, { retry: quick }, (c) => c.text(HttpClientRequest.get("http://api.test/a"))),
        "1 minute"
      )
      expect(expectSuccess(result)).toBe("b")
      expect(mem.requests.map((r) => r.url.pathname)).toEqual(["/a", "/b", "/a", "/b"])
    }))

  it.effect("the seam: gates run before each attempt, hear each outcome, and may reject with their own error", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(reset, reset, Mem.json(200, "ok")))
      const seen: Array<string> = []
      const refusal = new Errors.InvalidRequest({
        request: { method: "GET", url: "http://api.test/items" },
        attempts: 0,
        history: [],
        reason: "refused by a test gate"
      }, true)
      const clock = yield* Effect.clock
      const scheduler = new DeadlineScheduler(clock)
      const settings = Client.settings({ retry: quick })
      const cfg: Compiled = {
        transport: Transport.fromHttpClient(mem.client),
        scheduler,
        clock,
        retry: settings.retry,
        budget: Retry.unlimited,
        decide: decidePolicy(settings.retry, 60_000, Infinity),
        redirects: settings.redirects,
        poolMs: 30_000,
        connectMs: 5_000,
        responseMs: 30_000,
        bodyIdleMs: 30_000,
        deadlineMs: 120_000,
        maxBodySize: 1024,
        isFailure: (status) => status >= 400,
        baseUrl: undefined,
        urls: rules(undefined),
        allowAddress: undefined,
        spans: false,
        metrics: false,
        decompress: true,
        propagation: settings.propagation,
        durationLabels: new LabelSets(),
        retryLogLevel: LogLevel.Debug,
        proxyFor: undefined,
        gates: [
          {
            name: "first",
            admit: (_, attempt) => {
              seen.push(`admit ${attempt}`)
              return undefined
            },
            observe: (_, attempt, error) => void seen.push(`observe ${attempt} ${error?._tag ?? "ok"}`)
          },
          {
            name: "second",
            admit: (_, attempt) => attempt === 3 ? Effect.fail(refusal) : undefined
          }
        ],
        warnedProxies: new Set(),
        beforeAttempt: undefined,
        afterAttempt: undefined
      }
      const result = yield* after(run(cfg, get, () => Effect.succeed("ok")), "1 minute")
      const error = expectFailure(result, "InvalidRequest")
      expect(error.attempts).toBe(2)
      expect(error.history.map((h) => h.tag)).toEqual(["ConnectionReset", "ConnectionReset"])
      expect(seen).toEqual(["admit 1", "observe 1 ConnectionReset", "admit 2", "observe 2 ConnectionReset", "admit 3"])
      expect(mem.requests.length).toBe(2)
    }))

  it.effect("a plain platform HttpClient gets the resolved request: base url, query parameters", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      // what a platform client sends: the url it builds from the request
      const platform = HttpClient.make((request, url) =>
        Effect.zipRight(
          Effect.sync(() => seen.push(url.href)),
          Effect.fail(requestError({ request, reason: "Transport", cause: "stop" }))
        )
      )
      const mem = { client: platform, genericClient: platform, requests: [] }
      yield* after(
        withClient(
          mem,
          { baseUrl: "http://api.test/v1/", retry: Retry.none },
          (c) => Effect.either(c.text(HttpClientRequest.get("users/1").pipe(HttpClientRequest.setUrlParam("q", "a b"))))
        ),
        "1 second"
      )
      expect(seen).toEqual(["http://api.test/v1/users/1?q=a+b"])
    }))
})
