/**
 * Retry policies: what is retried, how long to wait, and when to stop.
 *
 * A policy is data plus an Effect `Schedule`. The schedule decides the delays
 * (its input is the error of the failed attempt); the policy decides whether
 * an error may be retried at all — by kind (transient or not) and by method
 * (idempotent or not). Built once, a policy is shared by every request; the
 * happy path never steps the schedule.
 *
 * Defaults: 3 retries (urllib3's `Retry.DEFAULT`), exponential backoff from
 * 100 ms (the AWS SDK for JavaScript's base delay) doubling each time, full
 * jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015),
 * each delay capped at 10 s, and `Retry-After` honoured on 429 and 503 up to
 * 60 s.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import { Retry } from "@steadfast/core"
 *
 * // five retries, equal jitter from 200 ms, never more than 30 s in all
 * const patient = Retry.policy({
 *   retries: 5,
 *   backoff: { base: "200 millis", jitter: "equal" },
 *   maxElapsed: "30 seconds"
 * })
 *
 * // any Schedule composes: a fixed pause
 * const steady = Retry.policy({ schedule: Schedule.spaced("1 second"), retries: 2 })
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import { both, unfoldDelays } from "#line/schedule"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Errors from "./Errors.js"
import * as backoff from "./internal/backoff.js"

/**
 * How delays are randomised ("Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015):
 * - `"full"`: uniform in [0, d];
 * - `"equal"`: d/2 plus uniform in [0, d/2];
 * - `"decorrelated"`: uniform in [base, 3 × previous delay], capped;
 * - `"none"`: exactly d.
 *
 * @since 0.1.0
 */
export type Jitter = "full" | "equal" | "decorrelated" | "none"

/**
 * Exponential backoff: the n-th retry waits `base × factor^n` (n from 0),
 * capped at `cap`, then jittered.
 *
 * @since 0.1.0
 */
export interface Backoff {
  /** @default "100 millis" (AWS SDK for JavaScript v3, DEFAULT_RETRY_DELAY_BASE) */
  readonly base?: Duration.DurationInput | undefined
  /** @default 2 */
  readonly factor?: number | undefined
  /** @default "10 seconds" */
  readonly cap?: Duration.DurationInput | undefined
  /** @default "full" */
  readonly jitter?: Jitter | undefined
}

/**
 * Limits the retries a client makes across its requests (see the `Budget`
 * module for the one every client has by default). `request` is called
 * once per request, `withdraw` before each retry, both with the request's
 * key (its origin) and the time on the client's `Clock` in milliseconds;
 * when `withdraw` returns false the request fails with its last error
 * (marked `retryRefused: "budget"`) instead of retrying.
 *
 * @since 0.1.0
 */
export interface Budget {
  readonly request: (key: string, now: number) => void
  readonly withdraw: (key: string, now: number) => boolean
}

/**
 * A budget that never says no: `Retry.policy({ budget: Retry.unlimited })`
 * turns the default budget off.
 *
 * @since 0.1.0
 */
export const unlimited: Budget = { request: () => {}, withdraw: () => true }

/**
 * A resolved retry policy.
 *
 * @since 0.1.0
 */
export interface Policy {
  /** Delays between attempts; the input is the failed attempt's error. */
  readonly schedule: Schedule.Schedule<unknown, Errors.HttpError>
  /** Whether an error is worth retrying at all (before the method rules). */
  readonly retryOn: (error: Errors.HttpError) => boolean
  /** Methods that may be retried after they might have reached the server. */
  readonly idempotentMethods: ReadonlySet<string>
  /** Retry non-idempotent methods (POST, PATCH) even after they may have reached the server. */
  readonly retryNonIdempotent: boolean
  /** Statuses whose `Retry-After` sets the next delay. */
  readonly retryAfterStatuses: ReadonlySet<number>
  /** The longest `Retry-After` honoured; a longer one fails at once. */
  readonly retryAfterMax: Duration.Duration
  /**
   * No retry starts later than this after the first attempt began; a wait
   * that would end past it is not taken.
   */
  readonly maxElapsed: Duration.Duration
  /** The most retries a request gets (`Infinity`: the schedule alone stops them). */
  readonly retries: number
  /** Whether any retry is allowed (false for {@link none}: saves the bookkeeping). */
  readonly enabled: boolean
  /** The retry budget; `undefined`: the client's (see the `Budget` module). */
  readonly budget: Budget | undefined
}

/**
 * Options of {@link policy}; every field documents its default.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Maximum number of retries (attempts = retries + 1). @default 3 (urllib3's Retry.DEFAULT) */
  readonly retries?: number | undefined
  /** Exponential backoff settings, used unless `schedule` is given. */
  readonly backoff?: Backoff | undefined
  /**
   * A schedule for the delays, instead of `backoff`. `retries` and
   * `maxElapsed` still limit it.
   */
  readonly schedule?: Schedule.Schedule<unknown, Errors.HttpError> | undefined
  /**
   * Do not start a retry later than this after the first attempt began (a
   * wait that would end past it is not taken).
   * @default none (the deadline bounds it)
   */
  readonly maxElapsed?: Duration.DurationInput | undefined
  /** Statuses that are retried. @default [408, 429, 500, 502, 503, 504] */
  readonly statuses?: ReadonlyArray<number> | undefined
  /** Replaces the transient-error predicate entirely (see {@link isTransient}). */
  readonly retryOn?: ((error: Errors.HttpError) => boolean) | undefined
  /** @default ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"] (RFC 9110 idempotent methods) */
  readonly idempotentMethods?: ReadonlyArray<string> | undefined
  /**
   * Retry POST and PATCH even when they may have reached the server. Without
   * it they are retried only when they provably did not, or carry an
   * `Idempotency-Key` header.
   * @default false
   */
  readonly retryNonIdempotent?: boolean | undefined
  /** Statuses whose `Retry-After` is honoured. @default [429, 503] */
  readonly retryAfterStatuses?: ReadonlyArray<number> | undefined
  /** The longest `Retry-After` honoured. @default "60 seconds" */
  readonly retryAfterMax?: Duration.DurationInput | undefined
  /**
   * The retry budget (`Retry.unlimited`: none).
   * @default the client's: a `Budget.SharedBudget` from the context, else its own `Budget.make()`
   */
  readonly budget?: Budget | undefined
}

/**
 * The statuses retried by default: 408, 429, 500, 502, 503, 504.
 *
 * @since 0.1.0
 */
export const defaultStatuses: ReadonlyArray<number> = [408, 429, 500, 502, 503, 504]

/**
 * The methods RFC 9110 defines as idempotent.
 *
 * @since 0.1.0
 */
export const defaultIdempotentMethods: ReadonlyArray<string> = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]

/**
 * The default notion of a transient failure: connection errors except TLS,
 * a proxy refusing the tunnel (other than with 502, 503, 504), a closed pool
 * and a malformed response (a server bug, which sending again repeats); a
 * network failure the browser hides (`TransportError` `"opaque-network"`),
 * except when the page can tell the browser refused it (`likely` `"cors"` or
 * `"mixed-content"`: sending again gets the same refusal); connect, response and body timeouts (not `PoolTimeout`: waiting again would
 * add load to a saturated pool); and `StatusError` for `statuses`.
 *
 * @since 0.1.0
 */
export const isTransient = (statuses: ReadonlyArray<number> = defaultStatuses) => {
  const set = new Set(statuses)
  return (error: Errors.HttpError): boolean => {
    switch (error._tag) {
      case "DnsError":
      case "ConnectionRefused":
      case "ConnectionReset":
      case "NetworkUnreachable":
      case "ConnectTimeout":
      case "ResponseTimeout":
      case "BodyTimeout":
        return true
      case "ProxyError":
        // the proxy is down or unreachable, or answered CONNECT with a gateway error
        return error.status === undefined || error.status === 502 || error.status === 503 || error.status === 504
      case "TransportError":
        // a browser-hidden failure heals unless the browser itself refused it (CORS, mixed content)
        return error.reason === "unknown" ||
          (error.reason === "opaque-network" && error.likely !== "cors" && error.likely !== "mixed-content")
      case "StatusError":
        return set.has(error.status)
      default:
        return false
    }
  }
}

/**
 * Exponential backoff as a `Schedule` (see {@link Backoff}). Randomness
 * comes from Effect's `Random` service, so `Effect.withRandom(Random.make(seed))`
 * makes the delays reproducible.
 *
 * @since 0.1.0
 */
export const exponential = (options?: Backoff): Schedule.Schedule<Duration.Duration> =>
  fromSettings(settingsOfOptions(options))

const settingsOfOptions = (options: Backoff | undefined, retries = Infinity): backoff.Settings => ({
  baseMs: Duration.toMillis(Duration.decode(options?.base ?? "100 millis")),
  factor: options?.factor ?? 2,
  capMs: Duration.toMillis(Duration.decode(options?.cap ?? "10 seconds")),
  jitter: options?.jitter ?? "full",
  retries
})

const fromSettings = (settings: backoff.Settings): Schedule.Schedule<Duration.Duration> =>
  unfoldDelays<readonly [number, number], Duration.Duration>(
    [0, settings.baseMs],
    ([n, previous]) => {
      const pick = (r: number): readonly [readonly [number, number], Duration.Duration, number] => {
        const ms = backoff.delay(settings, n, previous, r)
        return [[n + 1, ms], Duration.millis(ms), ms]
      }
      return settings.jitter === "none" ? Effect.succeed(pick(0)) : Effect.map(Random.next, pick)
    }
  )

const statusSet = (statuses: ReadonlyArray<number>) => new Set(statuses)

/**
 * Builds a policy. With no options: the defaults described above.
 *
 * @since 0.1.0
 */
export const policy = (options: Options = {}): Policy => {
  const retries = options.retries ?? 3
  if (!(retries >= 0)) throw new RangeError(`Retry.policy: retries must be >= 0 (got ${retries})`)
  const settings = options.schedule === undefined ? settingsOfOptions(options.backoff, retries) : undefined
  let schedule: Schedule.Schedule<unknown, Errors.HttpError> = options.schedule ?? fromSettings(settings!)
  if (Number.isFinite(retries)) schedule = both(schedule, Schedule.recurs(retries))
  // the client computes this schedule's delays directly (see internal/backoff.ts)
  if (settings !== undefined) backoff.register(schedule, settings)
  return {
    schedule,
    retryOn: options.retryOn ?? isTransient(options.statuses ?? defaultStatuses),
    idempotentMethods: new Set((options.idempotentMethods ?? defaultIdempotentMethods).map((m) => m.toUpperCase())),
    retryNonIdempotent: options.retryNonIdempotent ?? false,
    retryAfterStatuses: statusSet(options.retryAfterStatuses ?? [429, 503]),
    retryAfterMax: Duration.decode(options.retryAfterMax ?? "60 seconds"),
    maxElapsed: options.maxElapsed === undefined ? Duration.infinity : Duration.decode(options.maxElapsed),
    retries,
    enabled: retries > 0,
    budget: options.budget
  }
}

/**
 * The default policy (see the module description).
 *
 * @since 0.1.0
 */
export const defaults: Policy = policy()

/**
 * No retries at all.
 *
 * @since 0.1.0
 */
export const none: Policy = policy({ retries: 0 })

/**
 * Whether `error`, from a request with `method` and headers `headers`, may be
 * retried under `policy` — the error kind and the idempotency rules, without
 * the schedule. POST and PATCH are retried only when the request provably
 * never reached the server, carries an `Idempotency-Key` header, or the policy
 * opts in with `retryNonIdempotent`.
 *
 * @since 0.1.0
 */
export const isRetryable = (
  policy: Policy,
  error: Errors.HttpError,
  method: string,
  headers: Readonly<Record<string, string | undefined>>
): boolean => {
  if (!policy.enabled || !policy.retryOn(error)) return false
  if (policy.idempotentMethods.has(method.toUpperCase()) || policy.retryNonIdempotent) return true
  if (headers["idempotency-key"] !== undefined) return true
  return !Errors.mayHaveReachedServer(error)
}
