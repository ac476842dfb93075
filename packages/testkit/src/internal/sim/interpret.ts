/**
 * What a fault does to one attempt on the simulated network.
 *
 * @internal
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Fault, Reply, TlsFailure } from "../../Fault.js"
import * as NodeErrors from "../../NodeErrors.js"
import type { AttemptContext } from "./attempt.js"
import { type BodyPlan, completeBody, SimResponse } from "./response.js"

type Result = Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** `reply`'s headers with a `content-length`, as a real server sends them. */
const withLength = (headers: Readonly<Record<string, string>>, length: number): Readonly<Record<string, string>> =>
  "content-length" in headers || "transfer-encoding" in headers
    ? headers
    : { ...headers, "content-length": String(length) }

const respond = (ctx: AttemptContext, reply: Reply, plan: BodyPlan): SimResponse => {
  ctx.connect()
  ctx.settle({ _tag: "Response", status: reply.status })
  return new SimResponse(ctx, reply.status, withLength(reply.headers, reply.body.length), reply.body, plan)
}

const tlsCause = (reason: TlsFailure["reason"], host: string): Error => {
  switch (reason) {
    case "self-signed":
      return NodeErrors.selfSigned()
    case "expired":
      return NodeErrors.certExpired()
    case "hostname-mismatch":
      return NodeErrors.altnameInvalid({ host, altnames: "DNS:mismatch.test" })
    case "handshake":
      return NodeErrors.handshake()
  }
}

/** The request body as text, for `Echo`. */
const bodyText = (body: HttpBody.HttpBody): Effect.Effect<string> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return Effect.succeed(
        typeof body.body === "string"
          ? body.body
          : body.body instanceof Uint8Array
          ? decoder.decode(body.body)
          : String(body.body)
      )
    case "FormData":
      return Effect.promise(() => new Response(body.formData).text())
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => {
          const parts = Chunk.toReadonlyArray(chunks)
          return parts.map((p) => decoder.decode(p, { stream: true })).join("") + decoder.decode()
        }),
        Effect.orDie
      )
  }
}

const redirectLocation = (ctx: AttemptContext, location: string, origin: "same" | "secondary" | "insecure"): string => {
  const url = ctx.url
  const base = origin === "same"
    ? url.origin
    : origin === "secondary"
    ? `${url.protocol}//secondary.test`
    : `http://${url.host}`
  return new URL(location, base).href
}

/** Whether serving `fault` may suspend (sleep, hang, read a streamed request body). */
export const maySuspend = (fault: Fault): boolean => {
  switch (fault._tag) {
    case "ConnectLatency":
    case "ConnectHang":
    case "ResponseLatency":
    case "NoResponse":
    case "Echo":
      return true
    default:
      return false
  }
}

/** Serves one attempt with `fault`. */
export const interpret = (ctx: AttemptContext, fault: Fault): Result => {
  switch (fault._tag) {
    case "Reply":
      return Effect.succeed(respond(ctx, fault, completeBody))
    case "Echo": {
      ctx.connect()
      const request = ctx.request
      return Effect.map(bodyText(request.body), (body) =>
        respond(ctx, {
          _tag: "Reply",
          status: fault.status,
          headers: { "content-type": "application/json" },
          body: encoder.encode(JSON.stringify({
            method: request.method,
            url: ctx.url.href,
            headers: { ...request.headers },
            body
          }))
        }, completeBody))
    }
    case "Redirect":
      return Effect.succeed(respond(ctx, {
        _tag: "Reply",
        status: fault.status,
        headers: { location: redirectLocation(ctx, fault.location, fault.origin) },
        body: new Uint8Array(0)
      }, completeBody))
    case "DnsFailure":
      return ctx.fail(
        fault.temporary ? NodeErrors.dnsTemporary(ctx.url.hostname) : NodeErrors.notFound(ctx.url.hostname)
      )
    case "Refused":
      return ctx.fail(NodeErrors.refused(ctx.peer))
    case "Unreachable":
      return ctx.fail(NodeErrors.networkUnreachable(ctx.peer))
    case "TlsFailure":
      return ctx.fail(tlsCause(fault.reason, ctx.url.hostname))
    case "ResetBeforeResponse":
      ctx.connect()
      return ctx.fail(NodeErrors.reset())
    case "CloseBeforeResponse":
      ctx.connect()
      return ctx.fail(NodeErrors.otherSideClosed(ctx.socketInfo(0)))
    case "Malformed":
      ctx.connect()
      return ctx.fail(NodeErrors.httpParser({ data: fault.bytes }))
    case "ResetMidBody":
      return Effect.succeed(respond(ctx, fault.reply, {
        _tag: "Cut",
        afterBytes: fault.afterBytes,
        cause: () => NodeErrors.reset()
      }))
    case "Truncated":
      return Effect.succeed(respond(ctx, fault.reply, {
        _tag: "Cut",
        afterBytes: fault.afterBytes,
        cause: () => NodeErrors.otherSideClosed(ctx.socketInfo(fault.afterBytes + 64))
      }))
    case "Trickle":
      return Effect.succeed(respond(ctx, fault.reply, {
        _tag: "Trickle",
        chunkSize: fault.chunkSize,
        interval: fault.interval
      }))
    case "ConnectLatency":
      return Effect.flatMap(ctx.sleep(fault.delay), (aborted) => aborted ? ctx.aborted() : interpret(ctx, fault.then))
    case "ConnectHang":
      return ctx.hang()
    case "ResponseLatency":
      ctx.connect()
      return Effect.flatMap(ctx.sleep(fault.delay), (aborted) => aborted ? ctx.aborted() : interpret(ctx, fault.then))
    case "NoResponse":
      ctx.connect()
      return ctx.hang()
  }
}
