/**
 * Rows of the fault table: what a server does on an open connection.
 *
 * @internal
 */
import type {
  CloseBeforeResponse,
  Malformed,
  NoResponse,
  ResetBeforeResponse,
  ResetMidBody,
  ResponseLatency,
  Trickle,
  Truncated
} from "../../Fault.js"
import * as NodeErrors from "../../NodeErrors.js"
import { millis } from "./connection.js"
import type { Row } from "./table.js"

/**
 * How long ResetMidBody waits between its last byte and the RST on sockets:
 * a RST that lands behind unread data is reported by Linux / libuv as a
 * clean end of stream, so the client gets time to read those bytes first.
 */
export const RESET_GRACE_MS = 25

export const reset: Row<ResetBeforeResponse> = {
  level: "wire",
  memory: (attempt) => {
    attempt.connect()
    return attempt.fail(NodeErrors.reset())
  },
  wire: async (request) => request.reset()
}

export const close: Row<CloseBeforeResponse> = {
  level: "wire",
  memory: (attempt) => {
    attempt.connect()
    return attempt.fail(NodeErrors.otherSideClosed(attempt.socketInfo(0)))
  },
  wire: async (request) => request.close()
}

export const resetMidBody: Row<ResetMidBody> = {
  level: "wire",
  memory: (attempt, fault) =>
    attempt.respond(fault.reply, { _tag: "Cut", afterBytes: fault.afterBytes, cause: () => NodeErrors.reset() }),
  wire: async (request, fault) => {
    if (fault.afterBytes >= fault.reply.body.length) return request.play(fault.reply)
    if (!(await request.partial(fault.reply, fault.afterBytes))) return "closed"
    return (await request.wait(RESET_GRACE_MS)) ? request.reset() : "closed"
  }
}

export const truncate: Row<Truncated> = {
  level: "wire",
  memory: (attempt, fault) =>
    attempt.respond(fault.reply, {
      _tag: "Cut",
      afterBytes: fault.afterBytes,
      cause: () => NodeErrors.otherSideClosed(attempt.socketInfo(fault.afterBytes + 64))
    }),
  wire: async (request, fault) => {
    if (fault.afterBytes >= fault.reply.body.length) return request.play(fault.reply)
    if (!(await request.partial(fault.reply, fault.afterBytes))) return "closed"
    return request.close()
  }
}

export const latency: Row<ResponseLatency> = {
  level: "wire",
  suspends: true,
  memory: (attempt, fault) => {
    attempt.connect()
    return attempt.after(fault.delay, fault.then)
  },
  wire: async (request, fault) => (await request.wait(millis(fault.delay))) ? request.play(fault.then) : "closed"
}

export const hang: Row<NoResponse> = {
  level: "wire",
  suspends: true,
  memory: (attempt) => {
    attempt.connect()
    return attempt.hang()
  },
  wire: (request) => request.closed()
}

export const trickle: Row<Trickle> = {
  level: "wire",
  memory: (attempt, fault) =>
    attempt.respond(fault.reply, { _tag: "Trickle", chunkSize: fault.chunkSize, interval: fault.interval }),
  wire: async (request, fault) => {
    const reply = fault.reply
    if (!(await request.head(reply))) return "closed"
    if (request.hasBody(reply.status)) {
      for (let at = 0; at < reply.body.length; at += fault.chunkSize) {
        if (!(await request.wait(millis(fault.interval)))) return "closed"
        if (!(await request.write(reply.body.subarray(at, at + fault.chunkSize)))) return "closed"
      }
    }
    return request.done()
  }
}

export const malformed: Row<Malformed> = {
  level: "wire",
  memory: (attempt, fault) => {
    attempt.connect()
    return attempt.fail(NodeErrors.httpParser({ data: fault.bytes }))
  },
  wire: async (request, fault) => {
    await request.write(fault.bytes)
    return request.close()
  }
}
