/**
 * The circuit breaker: its state machine on its own, and through a client
 * under TestClock — every transition at its exact virtual time, `CircuitOpen`
 * never sent and never retried, probes bounded and given back when their
 * request is interrupted.
 */
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Fiber from "#line/Fiber"
import * as FiberRef from "#line/FiberRef"
import * as Metric from "#line/Metric"
import * as TestClock from "#line/TestClock"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Breaker, Client, Errors, Metrics } from "@steadfast/core"
import { HashSet, Logger, Schedule } from "effect"
import { Machine } from "../src/internal/breaker.js"
import * as Mem from "./helpers/memory.js"

const origin = "http://api.test"
const get = HttpClientRequest.get(`${origin}/items`)
const settings = { consecutiveFailures: 3, failureRatio: 0.5, windowMs: 10_000, minThroughput: 10, probes: 1 }

describe("Breaker: the state machine", () => {
  it("opens on the third failure in a row; a success in between starts the count again", () => {
    const m = new Machine(settings, 0)
    const a = {}
    expect(m.observe(a, "StatusError 503", 0)).toBeUndefined()
    expect(m.observe(a, undefined, 1)).toBeUndefined()
    expect(m.observe(a, "StatusError 503", 2)).toBeUndefined()
    expect(m.observe(a, "StatusError 503", 3)).toBeUndefined()
    expect(m.observe(a, "ConnectionReset", 4)).toEqual({
      from: "closed",
      to: "open",
      at: 4,
      cause: "ConnectionReset"
    })
    expect(m.admit(a, 4)).toMatchObject({ _tag: "Reject", state: "open", retryInMs: undefined })
  })

  it("opens on the failure ratio once the window has its minimum throughput", () => {
    const m = new Machine({ ...settings, consecutiveFailures: Infinity }, 0)
    const a = {}
    // alternate: 50% failures, never 3 in a row
    for (let i = 0; i < 9; i++) expect(m.observe(a, i % 2 === 0 ? undefined : "x", i)).toBeUndefined()
    expect(m.observe(a, "x", 9)?.to).toBe("open")
  })

  it("failures older than the window no longer count", () => {
    const m = new Machine({ ...settings, consecutiveFailures: Infinity }, 0)
    const a = {}
    for (let i = 0; i < 5; i++) m.observe(a, "x", 0)
    // 10 s later the 5 failures have left the window: 5 successes and 4 failures are under the ratio
    for (let i = 0; i < 5; i++) m.observe(a, undefined, 10_000)
    for (let i = 0; i < 4; i++) expect(m.observe(a, "x", 10_000)).toBeUndefined()
    expect(m.counts(10_000)).toEqual({ calls: 9, failures: 4 })
  })

  it("half-open admits one probe; its success closes, its failure opens again", () => {
    const m = new Machine(settings, 0)
    const [a, b] = [{}, {}]
    for (let i = 0; i < 3; i++) m.observe(a, "x", 0)
    m.setBreak(1_000)
    expect(m.admit(a, 999)).toMatchObject({ _tag: "Reject", retryInMs: 1 })
    expect(m.admit(a, 1_000)).toMatchObject({ _tag: "Admit", probe: true, transition: { to: "half-open" } })
    expect(m.admit(b, 1_000)).toMatchObject({ _tag: "Reject", state: "half-open" })
    expect(m.observe(a, "x", 1_500)).toMatchObject({ from: "half-open", to: "open", at: 1_500 })
    expect(m.opens).toBe(2)
    m.setBreak(2_000)
    expect(m.admit(b, 3_500)).toMatchObject({ _tag: "Admit", probe: true })
    expect(m.observe(b, undefined, 3_600)).toEqual({ from: "half-open", to: "closed", at: 3_600 })
    expect(m.opens).toBe(0)
  })

  it("a released probe frees its slot", () => {
    const m = new Machine(settings, 0)
    const [a, b] = [{}, {}]
    for (let i = 0; i < 3; i++) m.observe(a, "x", 0)
    m.setBreak(0)
    expect(m.admit(a, 0)._tag).toBe("Admit")
    expect(m.admit(b, 0)._tag).toBe("Reject")
    m.release(a)
    expect(m.admit(b, 0)._tag).toBe("Admit")
  })

  it("the default failure predicate: transport errors, timeouts, 5xx and 429 — not other 4xx", () => {
    const common = { request: { method: "GET", url: origin }, attempts: 1, history: [] }
    const status = (s: number) => new Errors.StatusError({ ...common, status: s, headers: {}, body: "" }, true)
    expect([500, 503, 429, 400, 404, 409].map((s) => Breaker.isFailure(status(s)))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false
    ])
    expect(Breaker.isFailure(new Errors.ResponseTimeout({ ...common, timeoutMs: 1 }, true))).toBe(true)
    expect(Breaker.isFailure(new Errors.PoolTimeout({ ...common, timeoutMs: 1, origin, requestSent: false }, true)))
      .toBe(false)
  })

  it("invalid options are InvalidOptions naming the option", () => {
    expect(Breaker.validate({ failureRatio: 0 })?.option).toBe("breaker.failureRatio")
    expect(Breaker.validate({ probes: 0 })?.option).toBe("breaker.probes")
    expect(Breaker.validate({ breakDuration: "soon" as never })?.option).toBe("breaker.breakDuration")
    expect(Breaker.validate({ breakDuration: Schedule.exponential("1 second") })).toBeUndefined()
    expect(Client.validate({ policies: [{} as never] })?.option).toBe("policies[0]")
  })
})

/** A server that answers 503 until `healthy.now` is set. */
const server = () => {
  const healthy = { now: false }
  const mem = Mem.make((request) =>
    Effect.sync(() => {
      request.connected()
      return healthy.now ? { status: 200, body: "ok" } : { status: 503 }
    })
  )
  return { mem, healthy }
}

/** Runs `f` with a client over `mem` and the breaker, collecting the breaker's log lines. */
const withBreaker = <A, E>(
  mem: Mem.Mem,
  options: Client.Options,
  f: (client: Client.ResilientClient, lines: Array<string>) => Effect.Effect<A, E>
) => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    const text = Array.isArray(message) ? message.join(" ") : String(message)
    if (text.startsWith("circuit breaker")) lines.push(text)
  })
  return Effect.scoped(Effect.flatMap(Client.make(options), (client) => f(client, lines))).pipe(
    Effect.provideService(HttpClient.HttpClient, mem.client),
    Effect.locally(FiberRef.currentLoggers, HashSet.make(logger))
  )
}

const attempt = (client: Client.ResilientClient) => Effect.either(client.text(get))

describe("Breaker: through the client, under TestClock", () => {
  it.effect("transitions at exact virtual times: open at t=0, probe at 10 s fails, open for 20 s, probe at 30 s closes", () =>
    Effect.gen(function*() {
      const { healthy, mem } = server()
      const breaker = Breaker.make({ consecutiveFailures: 3, breakDuration: Schedule.exponential("10 seconds") })
      const opened = (yield* Metric.value(Metric.tagged(Metrics.breakerTransitions, "to", "open"))).count
      yield* withBreaker(
        mem,
        { retry: { retries: 0 }, policies: [breaker] },
        (client, lines) =>
          Effect.gen(function*() {
            for (let i = 0; i < 3; i++) yield* attempt(client)
            expect(mem.requests.length).toBe(3)
            expect(yield* Breaker.state(breaker, origin)).toMatchObject({
              state: "open",
              retryInMs: 10_000,
              openedBy: "StatusError 503"
            })
            const refused = yield* attempt(client)
            if (Either.isRight(refused)) throw new Error("sent through an open breaker")
            const error = refused.left
            if (!Errors.isCircuitOpen(error)) throw new Error(`expected CircuitOpen, got ${error._tag}`)
            expect(error).toMatchObject({ key: origin, state: "open", retryInMs: 10_000, openedBy: "StatusError 503" })
            expect(error.message).toContain("not sent, the circuit breaker for http://api.test is open")
            expect(mem.requests.length).toBe(3)

            yield* TestClock.adjust("9999 millis")
            expect((yield* Breaker.state(breaker, origin)).retryInMs).toBe(1)
            expect(Either.isLeft(yield* attempt(client))).toBe(true)
            expect(mem.requests.length).toBe(3)

            yield* TestClock.adjust("1 millis") // t = 10 s: the probe goes, and fails
            yield* attempt(client)
            expect(mem.requests.length).toBe(4)
            expect(yield* Breaker.state(breaker, origin)).toMatchObject({ state: "open", retryInMs: 20_000 })

            yield* TestClock.adjust("19999 millis")
            yield* attempt(client)
            expect(mem.requests.length).toBe(4)
            yield* TestClock.adjust("1 millis") // t = 30 s: the probe succeeds
            healthy.now = true
            expect(yield* client.text(get)).toBe("ok")
            expect((yield* Breaker.state(breaker, origin)).state).toBe("closed")
            expect(lines).toEqual([
              "circuit breaker for http://api.test opened (closed -> open) after StatusError 503; next probe in 10s",
              "circuit breaker for http://api.test is half-open: sending a probe",
              "circuit breaker for http://api.test opened (half-open -> open) after StatusError 503; next probe in 20s",
              "circuit breaker for http://api.test is half-open: sending a probe",
              "circuit breaker for http://api.test closed: the probes succeeded"
            ])
          })
      )
      const openedAfter = (yield* Metric.value(Metric.tagged(Metrics.breakerTransitions, "to", "open"))).count
      expect(openedAfter - opened).toBe(2)
    }))

  it.effect("CircuitOpen is never retried and never sent, whatever retryOn says; it carries the history", () =>
    Effect.gen(function*() {
      const { mem } = server()
      const breaker = Breaker.make({ consecutiveFailures: 2, breakDuration: "1 minute" })
      const retry: Client.Options["retry"] = {
        retries: 5,
        backoff: { base: "1 millis", jitter: "none" },
        retryOn: () => true
      }
      yield* withBreaker(mem, { retry, policies: [breaker] }, (client) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(attempt(client))
          yield* TestClock.adjust("1 second")
          const result = yield* Fiber.join(fiber)
          if (Either.isRight(result)) throw new Error("succeeded")
          // two attempts opened it; the retry after them met the open breaker and the call ended
          expect(result.left._tag).toBe("CircuitOpen")
          expect(mem.requests.length).toBe(2)
          expect(result.left.attempts).toBe(2)
          expect(result.left.history.map((h) => [h.tag, h.decision])).toEqual([
            ["StatusError", "retry"],
            ["StatusError", "retry"]
          ])
        }))
    }))

  it.effect("half-open lets one probe through; others fail fast; an interrupted probe gives its slot back", () =>
    Effect.gen(function*() {
      const slow = Mem.make((request) =>
        Effect.as(Effect.sleep(request.url.pathname === "/slow" ? "1 minute" : "0 millis"), { status: 503 })
      )
      const breaker = Breaker.make({ consecutiveFailures: 1, breakDuration: "1 second" })
      yield* withBreaker(slow, { retry: { retries: 0 }, policies: [breaker] }, (client) =>
        Effect.gen(function*() {
          yield* attempt(client)
          yield* TestClock.adjust("1 second")
          const probe = yield* Effect.fork(client.text(HttpClientRequest.get(`${origin}/slow`)))
          yield* TestClock.adjust("1 millis")
          expect((yield* Breaker.state(breaker, origin)).state).toBe("half-open")
          const other = yield* attempt(client)
          expect(Either.isLeft(other) && other.left._tag === "CircuitOpen" && other.left.state).toBe("half-open")
          yield* Fiber.interrupt(probe)
          // the slot is free again: the next request is the probe
          yield* attempt(client)
          expect(slow.requests.length).toBe(3)
        }))
    }))

  it.effect("4xx other than 429 do not open it", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(404, {})))
      const breaker = Breaker.make({ consecutiveFailures: 2 })
      yield* withBreaker(mem, { retry: { retries: 0 }, policies: [breaker] }, (client) =>
        Effect.gen(function*() {
          for (let i = 0; i < 5; i++) yield* attempt(client)
          expect(mem.requests.length).toBe(5)
          expect((yield* Breaker.state(breaker, origin)).state).toBe("closed")
        }))
    }))
})
