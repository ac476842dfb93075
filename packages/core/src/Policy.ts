/**
 * Resilience policies as values: a client takes a list of them
 * (`Client.layer({ policies: [...] })`), and applies them around each
 * attempt in one fixed order, whatever the order of the list:
 *
 * ```
 * rate limit ──> retry budget ──> circuit breaker ──> bulkhead ──> hedging ──> attempt
 * ```
 *
 * The rate limiter comes from the context (`RateLimit.layer`), the retry
 * budget is on by default (see `Budget`); the others are policies of this
 * kind (`Breaker.make`, `Bulkhead.make`, `Hedge.make`). A policy never
 * retries by itself: it admits an attempt or refuses it with its own tagged
 * error (`CircuitOpen`, `BulkheadRejected`), and the decision to retry
 * stays in core. `Client.withPolicies` gives a request another list.
 *
 * @example
 * ```ts
 * import { Breaker, Client } from "@steadfast/core"
 *
 * const breaker = Breaker.make({ consecutiveFailures: 3 })
 * const layer = Client.layer({ policies: [breaker] })
 * ```
 *
 * @since 0.1.0
 */
import type { Hedger } from "./internal/hedge.js"
import type { Gate } from "./internal/policy.js"

/**
 * @since 0.1.0
 */
export const TypeId: unique symbol = Symbol.for("@steadfast/core/Policy")

/**
 * @since 0.1.0
 */
export type TypeId = typeof TypeId

/**
 * The place of each kind of policy in the order (lower runs first).
 *
 * @since 0.1.0
 */
export const order = { rateLimit: 0, budget: 1, breaker: 2, bulkhead: 3, hedging: 4 } as const

/**
 * A policy a client applies around each attempt.
 *
 * @since 0.1.0
 */
export interface Policy {
  readonly [TypeId]: TypeId
  /** What it is, for messages: `"circuit-breaker"`. */
  readonly name: string
  /** Its place in the order (see {@link order}). */
  readonly order: number
}

/** @internal */
export const GateKey: unique symbol = Symbol.for("@steadfast/core/Policy/gate")

/**
 * A policy with its gate (what the call loop runs).
 *
 * @internal
 */
export interface WithGate extends Policy {
  readonly [GateKey]: Gate
}

/** @internal */
export const HedgeKey: unique symbol = Symbol.for("@steadfast/core/Policy/hedge")

/**
 * The hedging policy (it runs around the attempt, not as a gate).
 *
 * @internal
 */
export interface WithHedge extends Policy {
  readonly [HedgeKey]: Hedger
}

/**
 * The hedger of `policies` (the last hedging policy, when several), or `undefined`.
 *
 * @internal
 */
export const hedger = (policies: ReadonlyArray<Policy>): Hedger | undefined => {
  let found: Hedger | undefined
  for (const p of policies) if (HedgeKey in p) found = (p as WithHedge)[HedgeKey]
  return found
}

/**
 * Whether `u` is a policy.
 *
 * @since 0.1.0
 */
export const isPolicy = (u: unknown): u is Policy => typeof u === "object" && u !== null && TypeId in u

/**
 * The gates of `policies`, in the order they apply.
 *
 * @internal
 */
export const gates = (policies: ReadonlyArray<Policy>): ReadonlyArray<Gate> =>
  [...policies].filter((p) => GateKey in p).sort((a, b) => a.order - b.order).map((p) => (p as WithGate)[GateKey])
