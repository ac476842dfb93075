/**
 * The decision function on its own: the rules it must hold for every input,
 * as fast-check properties (fixed seed), and a few cases spelled out.
 */
import { describe, expect, it } from "@effect/vitest"
import { Errors, Retry } from "@steadfast/core"
import * as FC from "effect/FastCheck"
import * as Decide from "../src/internal/decide.js"
import type { Facts, Phase } from "../src/internal/transportFacts.js"

const fastCheck = { seed: 20261206, numRuns: 3000 }

const request = { method: "POST", url: "https://api.test/orders" }
const common = { request, attempts: 1, history: [] }

const BEFORE_WRITE: ReadonlyArray<Phase> = ["queued", "connecting", "connected"]
const WRITTEN: ReadonlyArray<Phase> = ["written", "headers", "body"]

/** Errors an attempt can end with before anything was written. */
const unsentErrors: ReadonlyArray<Errors.HttpError> = [
  new Errors.DnsError({ ...common, hostname: "api.test", code: "EAI_AGAIN", temporary: true }, true),
  new Errors.ConnectionRefused({ ...common, address: "10.0.0.1", port: 443 }, true),
  new Errors.ConnectionReset({ ...common, code: "ECONNRESET", phase: "before-response", requestSent: false }, true),
  new Errors.NetworkUnreachable({ ...common, code: "ENETUNREACH" }, true),
  new Errors.PoolTimeout({ ...common, timeoutMs: 30_000, origin: "https://api.test", requestSent: false }, true),
  new Errors.ConnectTimeout({ ...common, timeoutMs: 5_000 }, true),
  new Errors.ProxyError({ ...common, proxy: "http://proxy.test:3128", code: "ECONNREFUSED" }, true),
  new Errors.TlsError({ ...common, reason: "handshake", code: "EPROTO" }, true)
]

/** Errors an attempt can end with once it was written. */
const sentErrors: ReadonlyArray<Errors.HttpError> = [
  new Errors.ConnectionReset({ ...common, code: "ECONNRESET", phase: "before-response", requestSent: true }, true),
  new Errors.ConnectionReset({ ...common, code: "UND_ERR_SOCKET", phase: "during-body", requestSent: true }, true),
  new Errors.ResponseTimeout({ ...common, timeoutMs: 30_000 }, true),
  new Errors.BodyTimeout({ ...common, timeoutMs: 30_000, bytesReceived: 3 }, true),
  new Errors.TransportError({
    ...common,
    reason: "malformed-response",
    code: "HPE_INVALID_CONSTANT",
    description: "bad",
    requestSent: true
  }, true),
  ...[429, 500, 503].flatMap((status) => [
    new Errors.StatusError({ ...common, status, headers: {} }, true),
    new Errors.StatusError({ ...common, status, headers: {}, retryAfterMs: 2_000 }, true),
    new Errors.StatusError({ ...common, status, headers: {}, retryAfterMs: 120_000 }, true)
  ])
]

const arbProxy = FC.option(
  FC.record({
    url: FC.constant("http://proxy.test:3128"),
    host: FC.constant("proxy.test"),
    port: FC.constant(3128),
    fallback: FC.boolean()
  }),
  { nil: undefined }
)

/** A failed attempt whose error agrees with how far it got. */
const arbOutcome: FC.Arbitrary<Decide.Outcome> = FC.oneof(
  FC.record({ phase: FC.constantFrom(...BEFORE_WRITE), error: FC.constantFrom(...unsentErrors) }),
  FC.record({ phase: FC.constantFrom(...WRITTEN), error: FC.constantFrom(...sentErrors) })
).chain(({ error, phase }) =>
  FC.record({
    error: FC.constant(error),
    // the deadline fired during the attempt, now and then
    deadline: FC.constantFrom(false, false, false, true),
    facts: FC.record({
      phase: FC.constant(phase),
      reusedSocket: FC.boolean(),
      bytesWritten: FC.constant(undefined),
      bytesRead: phase === "body" ? FC.nat(1000) : FC.constant(0),
      proxy: arbProxy,
      pool: FC.constant(undefined),
      cause: FC.constant(undefined)
    })
  })
)

const arbDecision = FC.constantFrom<Errors.AttemptRecord["decision"]>("resend", "retry", "give-up")
const arbReason = FC.constantFrom("stale-socket", "proxy-fallback", "policy", "retry-after")
const arbHistory: FC.Arbitrary<ReadonlyArray<Errors.AttemptRecord>> = FC.array(
  FC.record({
    attempt: FC.nat(10),
    tag: FC.constant("ConnectionReset"),
    delayMs: FC.nat(1000),
    elapsedMs: FC.nat(10_000),
    decision: arbDecision,
    reason: arbReason
  }),
  { maxLength: 6 }
)

const CAP = 10_000

const arbPolicy: FC.Arbitrary<Decide.Policy> = FC.record({
  enabled: FC.boolean(),
  retries: FC.oneof(FC.nat(5), FC.constant(Infinity)),
  retryOn: FC.constantFrom(Retry.isTransient(), (_: Errors.HttpError) => true),
  retryAfterStatuses: FC.constant(new Set([429, 503])),
  retryAfterMaxMs: FC.constantFrom(1_000, 60_000),
  maxElapsedMs: FC.constantFrom(Infinity, 5_000)
})

const arbRequest: FC.Arbitrary<Decide.Request> = FC.record({
  safe: FC.boolean(),
  replayable: FC.boolean(),
  startedAt: FC.constant(0),
  deadlineAt: FC.oneof(FC.constant(Infinity), FC.integer({ min: 1, max: 200_000 }))
})

const arbSchedule: FC.Arbitrary<Decide.ScheduleAnswer | undefined> = FC.oneof(
  FC.constant(undefined),
  FC.constant("done" as const),
  FC.record({ delayMs: FC.integer({ min: 0, max: CAP }) })
)

const arbs = {
  policy: arbPolicy,
  request: arbRequest,
  history: arbHistory,
  outcome: arbOutcome,
  now: FC.integer({ min: 0, max: 150_000 }),
  schedule: arbSchedule
}

const retryOrResend = (d: Decide.Decision) => d._tag === "Retry" || d._tag === "Resend"

describe("decide", () => {
  it.prop(
    "never sends a body that cannot be sent twice again once it was written",
    arbs,
    ({ history, now, outcome, policy, request, schedule }) => {
      const d = Decide.decide(policy, { ...request, replayable: false }, history, outcome, now, schedule)
      if (WRITTEN.includes(outcome.facts.phase)) expect(retryOrResend(d)).toBe(false)
    },
    { fastCheck }
  )

  it.prop(
    "never retries more than the retry count",
    arbs,
    ({ history, now, outcome, policy, request, schedule }) => {
      const d = Decide.decide(policy, request, history, outcome, now, schedule)
      if (Decide.retriesSoFar(history) >= policy.retries || !policy.enabled) expect(d._tag).not.toBe("Retry")
    },
    { fastCheck }
  )

  it.prop(
    "every delay is within [the schedule's delay, its cap or retryAfterMax]",
    arbs,
    ({ history, now, outcome, policy, request, schedule }) => {
      const d = Decide.decide(policy, request, history, outcome, now, schedule)
      if (d._tag !== "Retry") return
      expect(typeof schedule === "object").toBe(true)
      const asked = (schedule as { delayMs: number }).delayMs
      expect(d.delayMs).toBeGreaterThanOrEqual(0)
      expect(d.delayMs).toBeGreaterThanOrEqual(asked)
      expect(d.delayMs).toBeLessThanOrEqual(Math.max(CAP, policy.retryAfterMaxMs))
    },
    { fastCheck }
  )

  it.prop(
    "never goes past the deadline",
    arbs,
    ({ history, now, outcome, policy, request, schedule }) => {
      const d = Decide.decide(policy, request, history, outcome, now, schedule)
      if (d._tag === "Retry") expect(now + d.delayMs).toBeLessThan(request.deadlineAt)
      if (d._tag === "Resend") expect(now).toBeLessThan(request.deadlineAt)
      if (outcome.deadline || now >= request.deadlineAt) expect(d).toEqual({ _tag: "GiveUp", reason: "deadline" })
    },
    { fastCheck }
  )

  it.prop(
    "a POST that provably was not sent (a PoolTimeout, requestSent false) may be sent again",
    { ...arbs, error: FC.constantFrom(...unsentErrors), phase: FC.constantFrom(...BEFORE_WRITE) },
    ({ error, history, now, outcome, phase, policy, request, schedule }) => {
      const unsent = { deadline: false, error, facts: { ...outcome.facts, phase } }
      const open = { ...policy, enabled: true, retries: Infinity, retryOn: () => true, maxElapsedMs: Infinity }
      const post = { ...request, safe: false, replayable: false, deadlineAt: Infinity }
      const d = Decide.decide(open, post, history, unsent, now, schedule)
      expect(d).not.toEqual({ _tag: "GiveUp", reason: "not-idempotent" })
      expect(d).not.toEqual({ _tag: "GiveUp", reason: "body-sent" })
      if (typeof schedule === "object") expect(retryOrResend(d)).toBe(true)
    },
    { fastCheck }
  )

  it.prop(
    "a POST that may have reached the server is never sent again without an Idempotency-Key",
    { ...arbs, error: FC.constantFrom(...sentErrors), phase: FC.constantFrom(...WRITTEN) },
    ({ error, history, now, outcome, phase, policy, request, schedule }) => {
      const sent = { deadline: false, error, facts: { ...outcome.facts, phase } }
      const d = Decide.decide(policy, { ...request, safe: false }, history, sent, now, schedule)
      expect(retryOrResend(d)).toBe(false)
      // with a key (or a policy that opts in), the same failure may be
      const keyed = Decide.decide(
        {
          ...policy,
          enabled: true,
          retries: Infinity,
          retryOn: () => true,
          maxElapsedMs: Infinity,
          retryAfterMaxMs: 60_000
        },
        { ...request, safe: true, replayable: true, deadlineAt: Infinity },
        history,
        sent,
        now,
        { delayMs: 0 }
      )
      if (!(error._tag === "StatusError" && error.retryAfterMs === 120_000)) expect(retryOrResend(keyed)).toBe(true)
    },
    { fastCheck }
  )

  it.prop(
    "asks for the schedule only when a retry is allowed and the answer is missing",
    arbs,
    ({ history, now, outcome, policy, request, schedule }) => {
      const d = Decide.decide(policy, request, history, outcome, now, schedule)
      if (schedule !== undefined) expect(d._tag).not.toBe("AskSchedule")
      if (d._tag === "AskSchedule") {
        // and then decides with whatever the schedule says
        const answered = Decide.decide(policy, request, history, outcome, now, { delayMs: 0 })
        expect(answered._tag).not.toBe("AskSchedule")
      }
    },
    { fastCheck }
  )

  describe("re-sends", () => {
    const reset = (requestSent: boolean) =>
      new Errors.ConnectionReset({ ...common, code: "ECONNRESET", phase: "before-response", requestSent }, true)
    const facts = (phase: Phase, reusedSocket: boolean): Facts => ({
      phase,
      reusedSocket,
      bytesWritten: undefined,
      bytesRead: 0,
      proxy: undefined,
      pool: undefined,
      cause: undefined
    })
    // retries off: a re-send happens whatever the retry policy says
    const policy: Decide.Policy = {
      enabled: false,
      retries: 0,
      retryOn: Retry.isTransient(),
      retryAfterStatuses: new Set(),
      retryAfterMaxMs: 60_000,
      maxElapsedMs: Infinity
    }
    const get: Decide.Request = { safe: true, replayable: true, startedAt: 0, deadlineAt: Infinity }
    const post: Decide.Request = { ...get, safe: false }

    it.each(
      [
        {
          name: "a GET written on a reused connection",
          req: get,
          phase: "written",
          reused: true,
          sent: true,
          to: "Resend"
        },
        {
          name: "a POST written on a reused connection",
          req: post,
          phase: "written",
          reused: true,
          sent: true,
          to: "GiveUp"
        },
        {
          name: "a POST on a reused connection, not written yet",
          req: post,
          phase: "connected",
          reused: true,
          sent: false,
          to: "Resend"
        },
        { name: "a GET on a fresh connection", req: get, phase: "written", reused: false, sent: true, to: "GiveUp" }
      ] as const
    )("$name, retries off: $to", ({ phase, req, reused, sent, to }) => {
      const d = Decide.decide(policy, req, [], { error: reset(sent), facts: facts(phase, reused), deadline: false }, 0)
      expect(d._tag).toBe(to)
      if (to === "Resend") expect(d).toEqual({ _tag: "Resend", reason: "stale-socket" })
    })

    it("not twice in a row", () => {
      const history: ReadonlyArray<Errors.AttemptRecord> = [
        { attempt: 1, tag: "ConnectionReset", delayMs: 0, elapsedMs: 0, decision: "resend", reason: "stale-socket" }
      ]
      const d = Decide.decide(policy, get, history, {
        error: reset(true),
        facts: facts("written", true),
        deadline: false
      }, 0)
      expect(d).toEqual({ _tag: "GiveUp", reason: "retries" })
    })

    it("a proxy that cannot be reached, with a direct route allowed: once per call", () => {
      const down = new Errors.ProxyError({ ...common, proxy: "http://proxy.test:3128", code: "ECONNREFUSED" }, true)
      const viaProxy = {
        ...facts("connecting", false),
        proxy: { url: "http://proxy.test:3128", host: "proxy.test", port: 3128, fallback: true }
      }
      const outcome = { error: down, facts: viaProxy, deadline: false }
      expect(Decide.decide(policy, post, [], outcome, 0)).toEqual({ _tag: "Resend", reason: "proxy-fallback" })
      const history: ReadonlyArray<Errors.AttemptRecord> = [
        { attempt: 1, tag: "ProxyError", delayMs: 0, elapsedMs: 0, decision: "resend", reason: "proxy-fallback" }
      ]
      expect(Decide.decide(policy, post, history, outcome, 0)._tag).toBe("GiveUp")
      // a proxy that answered (407) is never bypassed
      const auth = new Errors.ProxyError({ ...down, status: 407 }, true)
      expect(Decide.decide(policy, post, [], { ...outcome, error: auth }, 0)._tag).toBe("GiveUp")
      // nor one without fallback allowed
      const strict = { ...viaProxy, proxy: { ...viaProxy.proxy, fallback: false } }
      expect(Decide.decide(policy, post, [], { ...outcome, facts: strict }, 0)._tag).toBe("GiveUp")
    })

    it("a request the server did not process (HTTP/2 REFUSED_STREAM): even a POST, once in a row, if its body allows", () => {
      const refused = new Errors.ConnectionReset({
        ...common,
        code: "NGHTTP2_REFUSED_STREAM",
        phase: "before-response",
        requestSent: true,
        frame: "RST_STREAM"
      }, true)
      const outcome = { error: refused, facts: { ...facts("written", true), unprocessed: true }, deadline: false }
      expect(Decide.decide(policy, post, [], outcome, 0)).toEqual({ _tag: "Resend", reason: "refused-stream" })
      // the transport did not say so: a written POST is not sent again
      const unsaid = { ...outcome, facts: facts("written", false) }
      expect(Decide.decide(policy, post, [], unsaid, 0)).toEqual({ _tag: "GiveUp", reason: "not-idempotent" })
      // a body that cannot be sent twice
      expect(Decide.decide(policy, { ...post, replayable: false }, [], outcome, 0)._tag).toBe("GiveUp")
      // refused again right after a re-send: the retry policy decides
      const history: ReadonlyArray<Errors.AttemptRecord> = [
        { attempt: 1, tag: "ConnectionReset", delayMs: 0, elapsedMs: 0, decision: "resend", reason: "refused-stream" }
      ]
      expect(Decide.decide(policy, post, history, outcome, 0)._tag).toBe("GiveUp")
      // nor right after a stale-socket re-send
      const afterStale: ReadonlyArray<Errors.AttemptRecord> = [{ ...history[0]!, reason: "stale-socket" }]
      expect(Decide.decide(policy, post, afterStale, outcome, 0)._tag).toBe("GiveUp")
      // a GET refused on a reused connection: a refusal, not a stale connection
      expect(Decide.decide(policy, get, [], outcome, 0)).toEqual({ _tag: "Resend", reason: "refused-stream" })
      // the deadline first
      expect(Decide.decide(policy, post, [], { ...outcome, deadline: true }, 0)).toEqual({
        _tag: "GiveUp",
        reason: "deadline"
      })
    })
  })
})

describe("decideHedge: whether another attempt may start beside the running one", () => {
  it("Hedge exactly when the request is safe, its body replayable, a hedge is left and the start is before the deadline; otherwise the first rule that fails", () => {
    FC.assert(
      FC.property(
        FC.boolean(),
        FC.boolean(),
        FC.option(FC.boolean(), { nil: undefined }),
        FC.integer({ min: -1, max: 3 }),
        FC.integer({ min: 0, max: 10_000 }),
        FC.oneof(FC.integer({ min: 0, max: 10_000 }), FC.constant(Infinity)),
        (safe, replayable, policySafe, hedgesLeft, startAt, deadlineAt) => {
          const request = { safe, replayable, startedAt: 0, deadlineAt }
          const decision = Decide.decideHedge(request, hedgesLeft, startAt, policySafe)
          const isSafe = policySafe ?? safe
          const expected: Decide.HedgeDecision = !isSafe
            ? { _tag: "NoHedge", reason: "not-safe" }
            : !replayable
            ? { _tag: "NoHedge", reason: "body-not-replayable" }
            : hedgesLeft < 1
            ? { _tag: "NoHedge", reason: "hedges-spent" }
            : startAt >= deadlineAt
            ? { _tag: "NoHedge", reason: "deadline" }
            : { _tag: "Hedge" }
          expect(decision).toEqual(expected)
        }
      ),
      fastCheck
    )
  })

  it("a POST (not safe by decide's rule) is hedged only when the hedge policy says it is safe", () => {
    const post = { safe: false, replayable: true, startedAt: 0, deadlineAt: Infinity }
    expect(Decide.decideHedge(post, 1, 100)).toEqual({ _tag: "NoHedge", reason: "not-safe" })
    expect(Decide.decideHedge(post, 1, 100, true)).toEqual({ _tag: "Hedge" })
  })
})
