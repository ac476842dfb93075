/**
 * What every error records about its request and each of its attempts.
 *
 * @since 0.1.0
 */
import * as Schema from "#line/Schema"

/**
 * The request an error is about, with secrets removed from the url.
 *
 * @since 0.1.0
 */
export const RequestInfo = Schema.Struct({
  method: Schema.String,
  url: Schema.String
})

/**
 * @since 0.1.0
 */
export interface RequestInfo extends Schema.Schema.Type<typeof RequestInfo> {}

/**
 * Where an attempt got to (see `Transport.Phase`).
 *
 * @since 0.1.0
 */
export const AttemptPhase = Schema.Literal("queued", "connecting", "connected", "written", "headers", "body")

/**
 * What the client decided after an attempt: send it again at once (a stale
 * keep-alive connection, a proxy that cannot be reached), retry it after a
 * wait, or give up.
 *
 * @since 0.1.0
 */
export const Decision = Schema.Literal("resend", "retry", "give-up")

/**
 * One attempt of a request as it is kept in an error's `history` (and in
 * `Client.withHistory`).
 *
 * - `tag`: the `_tag` of the attempt's failure (`"StatusError"` for a
 *   status), or `"Success"` for the attempt that succeeded.
 * - `status`: the response status, when there was one.
 * - `delayMs`: how long the client waited after this attempt before the next
 *   one (0 for the last attempt and for a re-send).
 * - `elapsedMs`: time since the request started when the attempt ended.
 * - `phase`: how far the attempt got (`"written"` and later: it may have
 *   reached the server).
 * - `reusedSocket`: it went out on a keep-alive connection used before.
 * - `decision` and `reason`: what the client did next, and why:
 *   `"resend"` (`"stale-socket"`, `"proxy-fallback"`, `"refused-stream"`), `"retry"`
 *   (`"policy"`, `"retry-after"`) or `"give-up"` (`"not-retryable"`,
 *   `"not-idempotent"`, `"body-sent"`, `"retries"`, `"schedule"`,
 *   `"retry-after"`, `"retry-after-deadline"`, `"max-elapsed"`,
 *   `"deadline"`, `"budget"`, `"browser-refused"`, or a policy's own).
 * - `retryRefused`: `"budget"` when the retry policy would have retried
 *   but the retry budget refused (see the `Budget` module).
 * - `hedged`: the attempt was a hedge, started while an earlier one was
 *   still running (see the `Hedge` module). An attempt a hedge made
 *   pointless was cut off: `tag` `"Interrupted"`, `reason` `"hedge-lost"`;
 *   one that failed while another was still running has `reason`
 *   `"hedge-wait"` and no decision (the client waited for the other).
 *
 * @since 0.1.0
 */
export const AttemptRecord = Schema.Struct({
  attempt: Schema.Number,
  tag: Schema.String,
  status: Schema.optional(Schema.Number),
  delayMs: Schema.Number,
  elapsedMs: Schema.Number,
  phase: Schema.optional(AttemptPhase),
  reusedSocket: Schema.optional(Schema.Boolean),
  decision: Schema.optional(Decision),
  reason: Schema.optional(Schema.String),
  retryRefused: Schema.optional(Schema.Literal("budget")),
  hedged: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 */
export interface AttemptRecord extends Schema.Schema.Type<typeof AttemptRecord> {}
