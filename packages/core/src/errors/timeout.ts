/**
 * Time limits that ran out: the pool queue, connect, response, body idle
 * and the deadline.
 *
 * @since 0.1.0
 */
import * as Schema from "#line/Schema"
import { after, common, millis, TaggedError, target } from "../internal/taggedError.js"

/**
 * No connection of the pool became free within the pool timeout: the client
 * itself is saturated (every connection to the origin busy, requests
 * waiting), not the server. The request was never sent. Not retried by
 * default: waiting again would add load to a pool that is already full.
 *
 * @since 0.1.0
 */
export class PoolTimeout extends TaggedError<PoolTimeout>()("PoolTimeout", {
  ...common,
  timeoutMs: Schema.Number,
  origin: Schema.String,
  /** Connections busy with a request when the wait ended (when the transport says). */
  inUse: Schema.optional(Schema.Number),
  /** The pool's bound on connections to the origin (`Infinity`: none). */
  limit: Schema.optional(Schema.Number),
  /** Requests waiting for a connection, this one included. */
  waiting: Schema.optional(Schema.Number),
  requestSent: Schema.Literal(false)
}) {
  override get message(): string {
    const state = this.inUse === undefined
      ? ""
      : ` (${this.inUse}${
        this.limit === undefined || this.limit === Infinity ? "" : ` of ${this.limit}`
      } connections in use${this.waiting === undefined ? "" : `, ${this.waiting} requests waiting`})`
    return `${target(this.request)}: no free connection to ${this.origin} within ${millis(this.timeoutMs)}${state} ${
      after(this.attempts)
    }. The client is saturated, not the server: raise the pool's connections or send fewer requests at once ` +
      "(or raise `timeouts.pool`). Not retried by default: waiting again would add load to a full pool."
  }
}

/**
 * No connection within the connect timeout: DNS, the TCP handshake or the TLS
 * handshake was too slow. Waiting for a free connection of a full pool is
 * `PoolTimeout`, not this.
 *
 * @since 0.1.0
 */
export class ConnectTimeout extends TaggedError<ConnectTimeout>()("ConnectTimeout", {
  ...common,
  timeoutMs: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: no connection within ${millis(this.timeoutMs)} ${after(this.attempts)}. ` +
      "The host may be down or filtered by a firewall; raise `timeouts.connect` for slow networks."
  }
}

/**
 * No response headers within the response timeout.
 *
 * @since 0.1.0
 */
export class ResponseTimeout extends TaggedError<ResponseTimeout>()("ResponseTimeout", {
  ...common,
  timeoutMs: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: no response headers within ${millis(this.timeoutMs)} ${
      after(this.attempts)
    }. The server is slow or stuck; raise \`timeouts.response\` for endpoints that are slow on purpose.`
  }
}

/**
 * The body stalled: no bytes for longer than the body idle timeout.
 *
 * @since 0.1.0
 */
export class BodyTimeout extends TaggedError<BodyTimeout>()("BodyTimeout", {
  ...common,
  timeoutMs: Schema.Number,
  bytesReceived: Schema.Number
}) {
  override get message(): string {
    return `${target(this.request)}: the body stalled for ${millis(this.timeoutMs)} after ${this.bytesReceived} bytes ${
      after(this.attempts)
    }. The server or network is sending too slowly; raise \`timeouts.bodyIdle\` if that is expected.`
  }
}

/**
 * The total budget of the request, over all attempts and waits, ran out.
 * `cause` is the failure of the last attempt when there was one.
 *
 * @since 0.1.0
 */
export class DeadlineExceeded extends TaggedError<DeadlineExceeded>()("DeadlineExceeded", {
  ...common,
  deadlineMs: Schema.Number,
  lastError: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const last = this.history[this.history.length - 1]
    // the client gives up early when the next wait would end past the deadline
    const what = last !== undefined && last.elapsedMs < this.deadlineMs
      ? `gave up at ${millis(last.elapsedMs)}, ${after(this.attempts)}: the next retry would end past the deadline of ${
        millis(this.deadlineMs)
      }`
      : `the deadline of ${millis(this.deadlineMs)} ran out ${after(this.attempts)}`
    return `${target(this.request)}: ${what}${
      this.lastError === undefined ? "" : ` (last failure: ${this.lastError})`
    }. Raise \`timeouts.deadline\`, or retry less.`
  }
}
