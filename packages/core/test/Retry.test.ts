import { withSeed } from "#line/random"
import { stepper } from "#line/schedule"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual, strictEqual, throws } from "@effect/vitest/utils"
import { Errors, Retry } from "@steadfast/core"
import { Duration, Effect, Schedule } from "effect"

// --- stepping a schedule by hand ----------------------------------------------

interface Step {
  readonly decision: "Continue" | "Done"
  /** Milliseconds from `now` to the start of the next interval (Continue only). */
  readonly delay: number | undefined
}

/** Steps `schedule` once at each of `nows`, threading its state. */
const stepAt = <Out, In>(
  schedule: Schedule.Schedule<Out, In>,
  input: In,
  nows: ReadonlyArray<number>
): Effect.Effect<Array<Step>> =>
  Effect.gen(function*() {
    const step = yield* stepper(schedule)
    const steps: Array<Step> = []
    for (const now of nows) {
      const next = yield* step(now, input)
      steps.push(
        next === undefined ? { decision: "Done", delay: undefined } : { decision: "Continue", delay: next.delayMs }
      )
    }
    return steps
  })

/**
 * Steps a backoff `n` times, each step at the time the previous delay ends,
 * and returns the delays: both the schedule's output and the distance to the
 * next interval, which must agree.
 */
const delaysOf = (schedule: Schedule.Schedule<Duration.Duration>, n: number): Effect.Effect<Array<number>> =>
  Effect.gen(function*() {
    const step = yield* stepper(schedule)
    let now = 1_000_000
    const delays: Array<number> = []
    for (let i = 0; i < n; i++) {
      const next = yield* step(now, undefined)
      assertTrue(next !== undefined, `step ${i} should continue`)
      strictEqual(next.delayMs, Duration.toMillis(next.out), `step ${i}: interval and output disagree`)
      delays.push(Duration.toMillis(next.out))
      now += next.delayMs
    }
    return delays
  })

/** The un-jittered delay of step n with the default base (100 ms), factor (2) and cap (10 s). */
const nominal = (n: number) => Math.min(10_000, 100 * 2 ** n)

const SEEDS = [1, 2, 3, 42, 1234, 99_999]

// --- errors --------------------------------------------------------------------

const common = { request: { method: "GET", url: "https://api.test/items" }, attempts: 1, history: [] }

const dns = new Errors.DnsError({ ...common, hostname: "api.test", code: "ENOTFOUND", temporary: false }, true)
const refused = new Errors.ConnectionRefused({ ...common, address: "10.0.0.1", port: 443 }, true)
const unreachable = new Errors.NetworkUnreachable({ ...common, code: "ENETUNREACH" }, true)
const connectTimeout = new Errors.ConnectTimeout({ ...common, timeoutMs: 5_000 }, true)
const resetUnsent = new Errors.ConnectionReset(
  { ...common, code: "ECONNRESET", phase: "before-response", requestSent: false },
  true
)
const resetSent = new Errors.ConnectionReset(
  { ...common, code: "ECONNRESET", phase: "before-response", requestSent: true },
  true
)
const resetInBody = new Errors.ConnectionReset(
  { ...common, code: "ECONNRESET", phase: "during-body", requestSent: true },
  true
)
const proxyDown = new Errors.ProxyError({ ...common, proxy: "http://proxy.test:3128", code: "ECONNREFUSED" }, true)
const proxy502 = new Errors.ProxyError(
  { ...common, proxy: "http://proxy.test:3128", code: "UND_ERR_ABORTED", status: 502 },
  true
)
const proxy407 = new Errors.ProxyError(
  { ...common, proxy: "http://proxy.test:3128", code: "UND_ERR_ABORTED", status: 407 },
  true
)
const proxy403 = new Errors.ProxyError(
  { ...common, proxy: "http://proxy.test:3128", code: "UND_ERR_ABORTED", status: 403 },
  true
)
const responseTimeout = new Errors.ResponseTimeout({ ...common, timeoutMs: 30_000 }, true)
const bodyTimeout = new Errors.BodyTimeout({ ...common, timeoutMs: 30_000, bytesReceived: 10 }, true)
const malformedSent = new Errors.TransportError({
  ...common,
  reason: "malformed-response",
  code: "HPE_INVALID_CONSTANT",
  description: "bad response",
  requestSent: true
}, true)
const poolClosed = new Errors.TransportError({
  ...common,
  reason: "closed",
  code: "UND_ERR_DESTROYED",
  description: "pool closed",
  requestSent: false
}, true)
const status = (code: number) => new Errors.StatusError({ ...common, status: code, headers: {} }, true)
const tls = (reason: Errors.TlsReason) => new Errors.TlsError({ ...common, reason, code: "TLS" }, true)
const deadline = new Errors.DeadlineExceeded({ ...common, deadlineMs: 120_000 }, true)
const tooLarge = new Errors.BodyTooLarge({ ...common, limit: 1024 }, true)
const invalidUrl = new Errors.InvalidUrl({ ...common, reason: "no scheme" }, true)
const invalidRequest = new Errors.InvalidRequest({ ...common, reason: "CR in header" }, true)
const decode = new Errors.DecodeError({ ...common, status: 200, reason: "not JSON" }, true)
const tooManyRedirects = new Errors.TooManyRedirects({ ...common, max: 10, chain: [], loop: false }, true)
const redirectBlocked = new Errors.RedirectBlocked(
  { ...common, location: "http://api.test/", reason: "downgrade" },
  true
)

interface Case {
  readonly name: string
  readonly error: Errors.HttpError
}

/** Transient, and the request provably never reached the server. */
const neverReached: ReadonlyArray<Case> = [
  { name: "DnsError", error: dns },
  { name: "ConnectionRefused", error: refused },
  { name: "NetworkUnreachable", error: unreachable },
  { name: "ConnectTimeout", error: connectTimeout },
  { name: "ConnectionReset, request not sent", error: resetUnsent },
  { name: "ProxyError without status", error: proxyDown },
  { name: "ProxyError 502", error: proxy502 }
]

/** Transient, but the request may have reached the server. */
const mayHaveReached: ReadonlyArray<Case> = [
  { name: "ConnectionReset, request sent", error: resetSent },
  { name: "ConnectionReset during the body", error: resetInBody },
  { name: "ResponseTimeout", error: responseTimeout },
  { name: "BodyTimeout", error: bodyTimeout },
  ...[408, 429, 500, 502, 503, 504].map((code) => ({ name: `StatusError ${code}`, error: status(code) }))
]

/** Never retried by the default policy, whatever the method. */
const permanent: ReadonlyArray<Case> = [
  ...(["self-signed", "expired", "hostname-mismatch", "untrusted", "handshake"] as const).map((reason) => ({
    name: `TlsError ${reason}`,
    error: tls(reason)
  })),
  { name: "ProxyError 407", error: proxy407 },
  // a server bug: sending again gets the same bytes
  { name: "TransportError malformed-response", error: malformedSent },
  // the client is saturated: waiting again adds load to a full pool
  {
    name: "PoolTimeout",
    error: new Errors.PoolTimeout(
      { ...common, timeoutMs: 30_000, origin: "https://api.test", requestSent: false },
      true
    )
  },
  { name: "ProxyError 403 (the proxy forbids the tunnel)", error: proxy403 },
  { name: "TransportError closed", error: poolClosed },
  { name: "DeadlineExceeded", error: deadline },
  { name: "BodyTooLarge", error: tooLarge },
  { name: "InvalidUrl", error: invalidUrl },
  { name: "InvalidRequest", error: invalidRequest },
  { name: "DecodeError", error: decode },
  { name: "TooManyRedirects", error: tooManyRedirects },
  { name: "RedirectBlocked", error: redirectBlocked },
  ...[400, 401, 403, 404, 409, 422, 501, 505].map((code) => ({ name: `StatusError ${code}`, error: status(code) }))
]

const IDEMPOTENT = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"] as const
const NON_IDEMPOTENT = ["POST", "PATCH"] as const

const cross = <M extends string>(methods: ReadonlyArray<M>, cases: ReadonlyArray<Case>) =>
  methods.flatMap((method) => cases.map((c) => ({ method, ...c })))

const noHeaders: Readonly<Record<string, string>> = {}
const withKey = HttpClientRequest.post("https://api.test/items").pipe(
  HttpClientRequest.setHeader("Idempotency-Key", "8e03978e-40d5-43e8-bc93-6894a57f9324")
).headers

describe("Retry", () => {
  describe("exponential", () => {
    it.effect("jitter none: exactly 100, 200, 400… doubling up to the 10 s cap", () =>
      Effect.gen(function*() {
        deepStrictEqual(
          yield* delaysOf(Retry.exponential({ jitter: "none" }), 10),
          [100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000, 10_000]
        )
      }))

    it.effect("jitter none: base, factor and cap are honoured", () =>
      Effect.gen(function*() {
        deepStrictEqual(
          yield* delaysOf(Retry.exponential({ base: "50 millis", factor: 3, cap: "1 second", jitter: "none" }), 5),
          [50, 150, 450, 1_000, 1_000]
        )
      }))

    it.effect("jitter none needs no Random: the delays are the same under any seed", () =>
      Effect.gen(function*() {
        const schedule = Retry.exponential({ jitter: "none" })
        deepStrictEqual(
          yield* withSeed(1)(delaysOf(schedule, 8)),
          yield* withSeed(2)(delaysOf(schedule, 8))
        )
      }))

    it.effect("full jitter (the default): each delay is within [0, d]", () =>
      Effect.gen(function*() {
        for (const seed of SEEDS) {
          const delays = yield* withSeed(seed)(delaysOf(Retry.exponential(), 20))
          delays.forEach((ms, n) => assertTrue(ms >= 0 && ms <= nominal(n), `seed ${seed}, step ${n}: ${ms}`))
          // and it is jittered: not every delay is the nominal one
          assertTrue(delays.some((ms, n) => ms !== nominal(n)), `seed ${seed}: no jitter in ${delays}`)
        }
      }))

    it.effect("equal jitter: each delay is within [d/2, d]", () =>
      Effect.gen(function*() {
        for (const seed of SEEDS) {
          const delays = yield* withSeed(seed)(delaysOf(Retry.exponential({ jitter: "equal" }), 20))
          delays.forEach((ms, n) =>
            assertTrue(ms >= nominal(n) / 2 && ms <= nominal(n), `seed ${seed}, step ${n}: ${ms}`)
          )
          assertTrue(delays.some((ms, n) => ms !== nominal(n)), `seed ${seed}: no jitter in ${delays}`)
        }
      }))

    it.effect("decorrelated jitter: each delay is within [base, min(cap, 3 × previous)], starting from base", () =>
      Effect.gen(function*() {
        for (const seed of SEEDS) {
          const delays = yield* withSeed(seed)(delaysOf(Retry.exponential({ jitter: "decorrelated" }), 20))
          let previous = 100
          delays.forEach((ms, n) => {
            assertTrue(
              ms >= 100 && ms <= Math.min(10_000, 3 * previous),
              `seed ${seed}, step ${n}: ${ms} after ${previous}`
            )
            previous = ms
          })
        }
      }))

    it.effect.each(["full", "equal", "decorrelated", "none"] as const)(
      "jitter %s: no delay passes the cap over 20 steps",
      (jitter) =>
        Effect.gen(function*() {
          const delays = yield* withSeed(7)(
            delaysOf(Retry.exponential({ jitter, base: "300 millis", cap: "2 seconds" }), 20)
          )
          strictEqual(delays.length, 20)
          assertTrue(Math.max(...delays) <= 2_000, `${delays}`)
        })
    )

    it.effect.each(["full", "equal", "decorrelated"] as const)(
      "jitter %s: the same seed gives the same delays",
      (jitter) =>
        Effect.gen(function*() {
          const schedule = Retry.exponential({ jitter })
          const first = yield* withSeed(42)(delaysOf(schedule, 12))
          const second = yield* withSeed(42)(delaysOf(schedule, 12))
          deepStrictEqual(first, second)
          // and the seed matters
          const other = yield* withSeed(43)(delaysOf(schedule, 12))
          assertTrue(first.some((ms, i) => ms !== other[i]), `seeds 42 and 43 agree: ${first}`)
        })
    )
  })

  describe("policy", () => {
    it.effect("defaults: exactly 3 Continue decisions, then Done", () =>
      Effect.gen(function*() {
        const steps = yield* stepAt(Retry.defaults.schedule, status(503), [0, 1_000, 2_000, 3_000, 4_000])
        deepStrictEqual(steps.map((s) => s.decision), ["Continue", "Continue", "Continue", "Done", "Done"])
      }).pipe(withSeed(1)))

    it("defaults: the documented values", () => {
      const p = Retry.defaults
      assertTrue(p.enabled)
      assertFalse(p.retryNonIdempotent)
      deepStrictEqual([...p.idempotentMethods], ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])
      deepStrictEqual([...p.retryAfterStatuses], [429, 503])
      strictEqual(Duration.toMillis(p.retryAfterMax), 60_000)
      strictEqual(p.budget, undefined) // the client's own budget (see Budget)
    })

    it.effect("defaults: the delays are full-jittered exponential backoff from 100 ms", () =>
      Effect.gen(function*() {
        const steps = yield* stepAt(Retry.defaults.schedule, status(503), [0, 1_000, 2_000])
        steps.forEach((s, n) =>
          assertTrue(s.delay !== undefined && s.delay >= 0 && s.delay <= nominal(n), `${n}: ${s.delay}`)
        )
      }).pipe(withSeed(3)))

    it.effect.each([1, 2, 5])(
      "retries: %i gives exactly that many Continue decisions",
      (retries) =>
        Effect.gen(function*() {
          const steps = yield* stepAt(Retry.policy({ retries }).schedule, status(503), [0, 1, 2, 3, 4, 5, 6, 7])
          strictEqual(steps.filter((s) => s.decision === "Continue").length, retries)
          strictEqual(steps.findIndex((s) => s.decision === "Done"), retries)
        }).pipe(withSeed(1))
    )

    it.effect("retries: 0 disables the policy and its schedule is done at once", () =>
      Effect.gen(function*() {
        const p = Retry.policy({ retries: 0 })
        assertFalse(p.enabled)
        deepStrictEqual((yield* stepAt(p.schedule, status(503), [0])).map((s) => s.decision), ["Done"])
      }).pipe(withSeed(1)))

    it("none is disabled; defaults is enabled", () => {
      assertFalse(Retry.none.enabled)
      assertTrue(Retry.defaults.enabled)
    })

    it.each([-1, Number.NaN])("retries: %s throws a RangeError", (retries) => {
      throws(() => Retry.policy({ retries }), (e) => {
        assertTrue(e instanceof RangeError)
      })
    })

    it.effect("a user Schedule.spaced sets the delays and is still limited by retries", () =>
      Effect.gen(function*() {
        const p = Retry.policy({ schedule: Schedule.spaced("1 second"), retries: 2 })
        deepStrictEqual(yield* stepAt(p.schedule, status(503), [0, 1_000, 2_000, 3_000]), [
          { decision: "Continue", delay: 1_000 },
          { decision: "Continue", delay: 1_000 },
          { decision: "Done", delay: undefined },
          { decision: "Done", delay: undefined }
        ])
      }))

    it.effect("a user schedule replaces backoff: backoff is ignored when schedule is given", () =>
      Effect.gen(function*() {
        const p = Retry.policy({
          schedule: Schedule.spaced("250 millis"),
          backoff: { base: "5 seconds", jitter: "none" },
          retries: 1
        })
        deepStrictEqual((yield* stepAt(p.schedule, status(503), [0]))[0], { decision: "Continue", delay: 250 })
      }))

    it("maxElapsed is kept on the policy (the client enforces it from the first attempt) and is off by default", () => {
      strictEqual(Duration.toMillis(Retry.policy({ maxElapsed: "1 second" }).maxElapsed), 1000)
      strictEqual(Duration.toMillis(Retry.policy().maxElapsed), Infinity)
    })

    it.effect("maxElapsed and retries: whichever comes first stops it", () =>
      Effect.gen(function*() {
        const p = Retry.policy({ retries: 2, backoff: { jitter: "none" }, maxElapsed: "1 hour" })
        deepStrictEqual(
          (yield* stepAt(p.schedule, status(503), [0, 100, 300])).map((s) => s.decision),
          ["Continue", "Continue", "Done"]
        )
      }))

    it.effect("retries: Infinity leaves the count unlimited", () =>
      Effect.gen(function*() {
        const p = Retry.policy({ retries: Infinity, backoff: { jitter: "none" } })
        const nows = Array.from({ length: 60 }, (_, i) => i * 1_000)
        const steps = yield* stepAt(p.schedule, status(503), nows)
        strictEqual(steps.filter((s) => s.decision === "Continue").length, 60)
      }))

    it("statuses replaces the retried statuses", () => {
      const p = Retry.policy({ statuses: [418, 503] })
      assertTrue(p.retryOn(status(418)))
      assertTrue(p.retryOn(status(503)))
      assertFalse(p.retryOn(status(500)))
      assertFalse(p.retryOn(status(429)))
      // other kinds are untouched
      assertTrue(p.retryOn(refused))
    })

    it("retryOn replaces the transient-error predicate entirely", () => {
      const p = Retry.policy({ retryOn: (e) => e._tag === "TlsError", statuses: [503] })
      assertTrue(p.retryOn(tls("handshake")))
      assertFalse(p.retryOn(refused))
      assertFalse(p.retryOn(status(503)))
    })

    it("idempotentMethods are upper-cased", () => {
      deepStrictEqual([...Retry.policy({ idempotentMethods: ["get", "Post"] }).idempotentMethods], ["GET", "POST"])
    })

    it("retryAfterStatuses, retryAfterMax and budget are taken from the options", () => {
      const budget: Retry.Budget = { request: () => {}, withdraw: () => false }
      const p = Retry.policy({ retryAfterStatuses: [503], retryAfterMax: "5 seconds", budget })
      deepStrictEqual([...p.retryAfterStatuses], [503])
      strictEqual(Duration.toMillis(p.retryAfterMax), 5_000)
      strictEqual(p.budget, budget)
    })
  })

  describe("isTransient", () => {
    it.each([...neverReached, ...mayHaveReached])("$name is transient", ({ error }) => {
      assertTrue(Retry.isTransient()(error))
    })

    it.each(permanent)("$name is not transient", ({ error }) => {
      assertFalse(Retry.isTransient()(error))
    })
  })

  describe("isRetryable", () => {
    const p = Retry.defaults

    it.each(cross(IDEMPOTENT, [...neverReached, ...mayHaveReached]))(
      "$method is retried after $name",
      ({ error, method }) => {
        assertTrue(Retry.isRetryable(p, error, method, noHeaders))
      }
    )

    it.each(cross(NON_IDEMPOTENT, neverReached))(
      "$method is retried after $name (it never reached the server)",
      ({ error, method }) => {
        assertTrue(Retry.isRetryable(p, error, method, noHeaders))
      }
    )

    it.each(cross(NON_IDEMPOTENT, mayHaveReached))(
      "$method is not retried after $name (it may have reached the server)",
      ({ error, method }) => {
        assertFalse(Retry.isRetryable(p, error, method, noHeaders))
      }
    )

    it.each(cross(NON_IDEMPOTENT, mayHaveReached))(
      "$method with an Idempotency-Key header is retried after $name",
      ({ error, method }) => {
        assertTrue(Retry.isRetryable(p, error, method, withKey))
      }
    )

    it.each(cross(NON_IDEMPOTENT, mayHaveReached))(
      "$method under retryNonIdempotent is retried after $name",
      ({ error, method }) => {
        assertTrue(Retry.isRetryable(Retry.policy({ retryNonIdempotent: true }), error, method, noHeaders))
      }
    )

    it.each(cross([...IDEMPOTENT, ...NON_IDEMPOTENT], permanent))(
      "$method is never retried after $name, even with an Idempotency-Key and retryNonIdempotent",
      ({ error, method }) => {
        assertFalse(Retry.isRetryable(p, error, method, noHeaders))
        assertFalse(Retry.isRetryable(Retry.policy({ retryNonIdempotent: true }), error, method, withKey))
      }
    )

    it("GET: of the statuses 100-599, exactly 408, 429, 500, 502, 503 and 504 are retried", () => {
      const retried = Array.from({ length: 500 }, (_, i) => 100 + i)
        .filter((code) => Retry.isRetryable(p, status(code), "GET", noHeaders))
      deepStrictEqual(retried, [408, 429, 500, 502, 503, 504])
    })

    it.each(cross([...IDEMPOTENT, ...NON_IDEMPOTENT], [...neverReached, ...mayHaveReached]))(
      "$method is not retried after $name when the policy is disabled",
      ({ error, method }) => {
        assertFalse(Retry.isRetryable(Retry.none, error, method, withKey))
      }
    )

    it.each(NON_IDEMPOTENT)(
      "%s after a TLS handshake failure counts as never reached: retried when retryOn allows TLS errors",
      (method) => {
        const tlsToo = Retry.policy({ retryOn: (e) => e._tag === "TlsError" })
        assertTrue(Retry.isRetryable(tlsToo, tls("handshake"), method, noHeaders))
      }
    )

    it("a POST becomes retryable after any transient error when POST is listed as idempotent", () => {
      const p2 = Retry.policy({ idempotentMethods: [...Retry.defaultIdempotentMethods, "post"] })
      assertTrue(Retry.isRetryable(p2, responseTimeout, "POST", noHeaders))
      assertFalse(Retry.isRetryable(p2, responseTimeout, "PATCH", noHeaders))
    })
  })
})
