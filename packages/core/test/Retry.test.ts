import { withSeed } from "#line/random"
import { stepper } from "#line/schedule"
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

const refused = new Errors.ConnectionRefused({ ...common, address: "10.0.0.1", port: 443 }, true)
const status = (code: number) => new Errors.StatusError({ ...common, status: code, headers: {} }, true)
const tls = (reason: Errors.TlsReason) => new Errors.TlsError({ ...common, reason, code: "TLS" }, true)

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
})
