/**
 * A client's settings, resolved once per client (not per request), and the
 * seam where request policies plug in around each attempt.
 *
 * @internal
 */
import * as Effect from "#line/Effect"
import type { Headers } from "#line/http"
import type * as LogLevel from "#line/LogLevel"
import type * as Clock from "effect/Clock"
import type * as Tracer from "effect/Tracer"
import type * as Classify from "../Classify.js"
import * as Errors from "../Errors.js"
import type * as Hooks from "../Hooks.js"
import type * as Propagation from "../Propagation.js"
import type * as RateLimit from "../RateLimit.js"
import type * as Redirects from "../Redirects.js"
import type * as Retry from "../Retry.js"
import type { Transport } from "../Transport.js"
import type { Credentials } from "./credentials.js"
import type * as Decide from "./decide.js"
import type { Hedger } from "./hedge.js"
import type { LabelSets } from "./labelSets.js"
import { redactUrl } from "./redact.js"
import type { DeadlineScheduler } from "./scheduler.js"
import { withoutStack } from "./transport.js"
import type { UrlRules } from "./url.js"

/**
 * A policy that runs around every attempt of a request — the seam for the
 * policies DESIGN.md orders as rate limit → budget → breaker → bulkhead →
 * hedging → attempt. `Compiled.gates` lists them in that order; the call
 * loop runs each gate's `admit` before each attempt (the first refusal
 * ends the request with the gate's own tagged error, never sent) and each
 * `observe` after each attempt's outcome. A gate with nothing to do returns
 * `undefined` from `admit`, so the happy path runs no Effect for it.
 *
 * Gates do not decide re-sends or retries: that stays in `decide`. A gate
 * that needs to refuse a retry (a budget) does it through its `admit` of the
 * next attempt, or `decide` gets what it needs as data.
 *
 * @internal
 */
export interface Gate {
  readonly name: string
  /** Told of every response (redirect hops and failure statuses included), before anything else reads it. */
  readonly onResponse?:
    | ((method: string, url: URL, status: number, headers: Headers.Headers, now: number) => void)
    | undefined
  /**
   * Before attempt `attempt` (1-based) of a request: `undefined` admits at
   * once; an Effect admits when it succeeds and rejects when it fails. A
   * gate that waits must not wait past `deadlineAt`.
   */
  readonly admit: (request: GateRequest, attempt: number) => Effect.Effect<void, Errors.HttpError> | undefined
  /**
   * After each attempt: `error` is `undefined` when the attempt succeeded.
   * May return an Effect (a log line, a schedule step), run before the
   * decision that follows.
   */
  readonly observe?:
    | ((request: GateRequest, attempt: number, error: Errors.HttpError | undefined) => Effect.Effect<void> | void)
    | undefined
  /**
   * The request failed or was interrupted (called once, at its end): what
   * the gate holds for it (a probe slot) is given back.
   */
  readonly release?: ((request: GateRequest) => void) | undefined
}

/** What a gate sees of a request. @internal */
export interface GateRequest {
  readonly method: string
  readonly url: URL
  readonly startedAt: number
  readonly deadlineAt: number
  /** The request as errors show it (redacted). */
  readonly requestInfo: Errors.RequestInfo
  /** Attempts made so far. */
  readonly attempts: number
  /** The request's span, when spans are on. */
  readonly span: Tracer.Span | undefined
  /** The time on the client's clock, in ms. */
  readonly now: () => number
}

/** Everything a request needs from its client, resolved once per client. @internal */
export interface Compiled {
  readonly transport: Transport
  readonly scheduler: DeadlineScheduler
  readonly clock: Clock.Clock
  readonly retry: Retry.Policy
  /** The retry budget: the policy's, else the client's (shared or its own). */
  readonly budget: Retry.Budget
  /** The part of the retry policy `decide` reads. */
  readonly decide: Decide.Policy
  readonly redirects: Redirects.Policy
  readonly poolMs: number
  readonly connectMs: number
  readonly responseMs: number
  readonly bodyIdleMs: number
  readonly deadlineMs: number
  readonly maxBodySize: number
  readonly isFailure: (status: number) => boolean
  readonly baseUrl: URL | undefined
  /** Where requests may go (base origin and path). */
  readonly urls: UrlRules
  /** The SSRF guard over addresses (IP literals here; resolved names in the transport). */
  readonly allowAddress: ((address: string) => boolean) | undefined
  readonly spans: boolean
  readonly metrics: boolean
  /** Transports ask for compressed bodies and decode them (`Client.Options.decompress`). */
  readonly decompress: boolean
  /** Where trace context headers go, in which formats. */
  readonly propagation: Propagation.Policy
  /** The label sets of `http.client.request.duration`, by method, origin, status and error (bounded). */
  readonly durationLabels: LabelSets
  /** The level of the log line of each retry and stale-connection re-send. */
  readonly retryLogLevel: LogLevel.LogLevel
  /** The proxy for a url, for transports that do not report it on the attempt. */
  readonly proxyFor: ((url: URL) => Classify.Context["proxy"]) | undefined
  /** Default headers and credentials added to each request (`credentials.ts`). */
  readonly credentials?: Credentials | undefined
  /** Policies around each attempt, in order (none yet: see `Gate`). */
  /** Policies around each attempt, in order (see `Gate`). */
  readonly gates: ReadonlyArray<Gate>
  /** The hedging policy, when there is one (`hedge.ts`); the call loop goes there only then. */
  readonly hedge?: Hedger | undefined
  /** The client's per-attempt hooks (see `Hooks`). */
  readonly beforeAttempt: Hooks.Hooks["beforeAttempt"]
  readonly afterAttempt: Hooks.Hooks["afterAttempt"]
  /** Proxies whose fallback was already logged as a warning (later ones log at debug). */
  readonly warnedProxies: Set<string>
}

/** The part of a retry policy `decide` reads. @internal */
export const decidePolicy = (retry: Retry.Policy, retryAfterMaxMs: number, maxElapsedMs: number): Decide.Policy => ({
  enabled: retry.enabled,
  // policies built before `retries` existed: the schedule alone stops them
  retries: retry.retries ?? Infinity,
  retryOn: retry.retryOn,
  retryAfterStatuses: retry.retryAfterStatuses,
  retryAfterMaxMs,
  maxElapsedMs
})

/**
 * The client-side rate limiter (`RateLimit.RateLimiter` in the context) as
 * the first gate: each attempt waits for its slot (never past the deadline)
 * or is refused with `RateLimited`, and the limiter learns from every
 * response.
 *
 * @internal
 */
export const rateLimitGate = (limiter: RateLimit.Limiter): Gate => ({
  name: "rate-limit",
  admit: (request) =>
    Effect.mapError(
      limiter.acquire(request.method, request.url, request.deadlineAt),
      (refusal) =>
        withoutStack(() =>
          new Errors.RateLimited({
            request: request.requestInfo,
            attempts: request.attempts,
            history: [],
            // keys are origins by default; a custom key that looks like a url with credentials or a query is cleaned
            key: /[@?#]/.test(refusal.key) ? redactUrl(refusal.key) : refusal.key,
            waitMs: refusal.waitMs,
            reason: refusal.reason
          }, true)
        )
    ),
  onResponse: (method, url, status, headers, now) => limiter.observe(method, url, status, headers, now)
})
