/**
 * A simulated response: a platform `HttpClientResponse` whose body is read
 * from memory, with body faults (reset, truncation, trickle) happening while
 * it is read, and a direct steadfast `BodyReader`.
 *
 * @internal
 */
import { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Exit from "@steadfast/core/line/Exit"
import { Cookies, Headers, type HttpClientResponse, UrlParams } from "@steadfast/core/line/http"
import type { ResponseError } from "@steadfast/core/line/platformError"
import { type JsonBody, ResponseBase } from "@steadfast/core/line/platformResponse"
import * as Stream from "@steadfast/core/line/Stream"
import * as Option from "effect/Option"
import type { BodyPlan } from "../faults/player.js"
import { withoutStack } from "../stackless.js"
import { type AttemptContext, codeOf } from "./attempt.js"

const decoder = new TextDecoder()

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  let length = 0
  for (const c of chunks) length += c.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

export class SimResponse extends ResponseBase implements HttpClientResponse.HttpClientResponse, Transport.BodyReader {
  private cachedHeaders: Headers.Headers | undefined
  private cachedCookies: Cookies.Cookies | undefined
  private collected: Exit.Exit<Uint8Array, ResponseError> | undefined
  private readonly body: Uint8Array

  constructor(
    readonly ctx: AttemptContext,
    readonly status: number,
    readonly rawHeaders: Readonly<Record<string, string>>,
    body: Uint8Array,
    readonly plan: BodyPlan
  ) {
    super()
    // A response to HEAD has no body, whatever its headers say.
    this.body = ctx.request.method === "HEAD" ? new Uint8Array(0) : body
  }

  get request() {
    return this.ctx.request
  }

  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.rawHeaders)
  }

  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const setCookie = this.rawHeaders["set-cookie"]
    return this.cachedCookies = setCookie === undefined ? Cookies.empty : Cookies.fromSetCookie(setCookie)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.some(this.ctx.address)
  }

  // --- reading -------------------------------------------------------------

  /** The first `n` bytes a cut body delivers, or `undefined` when the cut does not bite. */
  private cutAt(): number | undefined {
    const plan = this.plan
    return plan._tag === "Cut" && plan.afterBytes < this.body.length ? Math.max(0, plan.afterBytes) : undefined
  }

  private failBody(cause: unknown): Effect.Effect<never, ResponseError> {
    this.ctx.settle({ _tag: "Failed", code: codeOf(cause), phase: "body" })
    return Effect.fail(this.ctx.bodyError(this, cause))
  }

  private abortBody(): Effect.Effect<never, ResponseError> {
    this.ctx.settle({ _tag: "Aborted", reason: this.ctx.abortReason(), phase: "body" })
    return Effect.fail(this.ctx.bodyError(this, this.ctx.abortError))
  }

  /** Delivers the body chunk by chunk; stops early when `onChunk` returns false. */
  private read(onChunk: (chunk: Uint8Array) => boolean): Effect.Effect<void, ResponseError> {
    return Effect.suspend(() => {
      if (this.ctx.isAborted) return this.abortBody()
      const plan = this.plan
      switch (plan._tag) {
        case "Complete": {
          if (this.body.length > 0) onChunk(this.body)
          return Effect.void
        }
        case "Cut": {
          const cut = this.cutAt()
          if (cut === undefined) {
            if (this.body.length > 0) onChunk(this.body)
            return Effect.void
          }
          if (cut > 0 && !onChunk(this.body.subarray(0, cut))) return Effect.void
          return this.failBody(withoutStack(plan.cause))
        }
        case "Trickle": {
          const size = plan.chunkSize
          const step = (offset: number): Effect.Effect<void, ResponseError> =>
            offset >= this.body.length ? Effect.void : Effect.flatMap(
              this.ctx.sleep(plan.interval),
              (aborted) => {
                if (aborted) return this.abortBody()
                const chunk = this.body.subarray(offset, offset + size)
                return onChunk(chunk) ? step(offset + size) : Effect.void
              }
            )
          return Effect.onInterrupt(step(0), () => this.ctx.interrupted("body"))
        }
      }
    })
  }

  [Transport.BodyReaderTypeId](
    onChunk: (chunk: Uint8Array) => boolean
  ): Effect.Effect<void, ResponseError> {
    return this.read(onChunk)
  }

  /** The whole body; read once, then the same result every time (like a real response). */
  private get bytes(): Effect.Effect<Uint8Array, ResponseError> {
    return Effect.suspend(() => {
      if (this.collected !== undefined) return this.collected
      const chunks: Array<Uint8Array> = []
      return this.read((chunk) => {
        chunks.push(chunk)
        return true
      }).pipe(
        Effect.map(() => concat(chunks)),
        Effect.onExit((exit) =>
          Effect.sync(() => {
            if (!Exit.isInterrupted(exit)) this.collected = exit
          })
        )
      )
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, ResponseError> {
    return Effect.map(this.bytes, (bytes) => new Uint8Array(bytes).buffer)
  }

  get text(): Effect.Effect<string, ResponseError> {
    return Effect.map(this.bytes, (bytes) => decoder.decode(bytes))
  }

  get json(): Effect.Effect<JsonBody, ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: (): JsonBody => text === "" ? null : JSON.parse(text),
        catch: (cause) => this.ctx.bodyError(this, cause)
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.ctx.bodyError(this, cause)
      }))
  }

  get formData(): Effect.Effect<FormData, ResponseError> {
    return Effect.flatMap(this.bytes, (bytes) =>
      Effect.tryPromise({
        try: () => new Response(bytes, { headers: this.rawHeaders }).formData(),
        catch: (cause) => this.ctx.bodyError(this, cause)
      }))
  }

  get stream(): Stream.Stream<Uint8Array, ResponseError> {
    return Stream.suspend(() => {
      if (this.ctx.isAborted) return Stream.fromEffect(this.abortBody())
      const plan = this.plan
      const body = this.body
      switch (plan._tag) {
        case "Complete":
          return body.length > 0 ? Stream.succeed(body) : Stream.empty
        case "Cut": {
          const cut = this.cutAt()
          if (cut === undefined) return body.length > 0 ? Stream.succeed(body) : Stream.empty
          const failure = Stream.fromEffect(Effect.suspend(() => this.failBody(withoutStack(plan.cause))))
          return cut > 0 ? Stream.concat(Stream.succeed(body.subarray(0, cut)), failure) : failure
        }
        case "Trickle": {
          const offsets: Array<number> = []
          for (let o = 0; o < body.length; o += plan.chunkSize) offsets.push(o)
          return Stream.fromIterable(offsets).pipe(
            Stream.mapEffect((offset) =>
              Effect.flatMap(
                this.ctx.sleep(plan.interval),
                (aborted) => aborted ? this.abortBody() : Effect.succeed(body.subarray(offset, offset + plan.chunkSize))
              )
            ),
            Stream.ensuringWith((exit) => Exit.isInterrupted(exit) ? this.ctx.interrupted("body") : Effect.void)
          )
        }
      }
    })
  }

  toJSON(): unknown {
    return {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status,
      headers: Headers.redact(this.headers, ["set-cookie"])
    }
  }
}
