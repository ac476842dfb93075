/**
 * What a client has learned from a server's rate-limit headers, per key, and
 * whether the next request may go. Pure: data in, data out, `now` passed in;
 * no Effect runtime (so fast-check drives it, and an Effect 4 port reuses it).
 *
 * @internal
 */
import type { Observation } from "../RateLimitHeaders.js"

/**
 * - `remaining`: requests the server still allows before `resetAt`
 *   (`undefined`: unknown), counted down as requests are sent;
 * - `resetAt`: when the server's window resets (ms);
 * - `blockedUntil`: no request before this (from `Retry-After`).
 *
 * @internal
 */
export interface Learned {
  readonly remaining: number | undefined
  readonly resetAt: number
  readonly blockedUntil: number
}

/** Two resets more than this apart belong to two windows (delta-seconds are rounded to whole seconds). */
const SAME_WINDOW_MS = 1000

/**
 * The state after a response said `observation` at `now`.
 *
 * - `Retry-After` blocks until then; it takes precedence over the response's
 *   other fields, which are then not read.
 * - `remaining` with a reset starts a new window when the known one has
 *   passed or the new reset is later by more than a second; within the same
 *   window the lower count wins (requests still in flight when the server
 *   counted are already subtracted here).
 * - `remaining` without any reset says nothing usable and is ignored.
 *
 * @internal
 */
export const observe = (state: Learned | undefined, observation: Observation, now: number): Learned | undefined => {
  if (observation.retryAfterMs !== undefined) {
    const until = now + observation.retryAfterMs
    return {
      remaining: state?.remaining,
      resetAt: state?.resetAt ?? 0,
      blockedUntil: Math.max(state?.blockedUntil ?? 0, until)
    }
  }
  const remaining = observation.remaining
  const resetMs = observation.resetMs ?? (remaining === 0 ? observation.windowMs : undefined)
  if (remaining === undefined || resetMs === undefined) return state
  const resetAt = now + resetMs
  const blockedUntil = state?.blockedUntil ?? 0
  if (
    state === undefined || state.remaining === undefined || now >= state.resetAt ||
    resetAt > state.resetAt + SAME_WINDOW_MS
  ) {
    return { remaining, resetAt, blockedUntil }
  }
  return { remaining: Math.min(state.remaining, remaining), resetAt, blockedUntil }
}

/**
 * Whether a request may go at `now`: `wait` 0 and the state with one request
 * counted, or how long to wait (the state unchanged).
 *
 * @internal
 */
export const admit = (
  state: Learned | undefined,
  now: number
): { readonly wait: number; readonly state: Learned | undefined } => {
  if (state === undefined) return { wait: 0, state }
  if (now < state.blockedUntil) return { wait: state.blockedUntil - now, state }
  if (state.remaining === undefined || now >= state.resetAt) {
    // the window passed: what we knew no longer holds
    return { wait: 0, state: state.remaining === undefined ? state : { ...state, remaining: undefined } }
  }
  if (state.remaining > 0) return { wait: 0, state: { ...state, remaining: state.remaining - 1 } }
  return { wait: state.resetAt - now, state }
}

/**
 * Whether the state still says anything at `now` (entries that do not can be
 * dropped).
 *
 * @internal
 */
export const isLive = (state: Learned, now: number): boolean =>
  now < state.blockedUntil || (state.remaining !== undefined && now < state.resetAt)
