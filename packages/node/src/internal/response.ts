/**
 * A response of the undici transport: a platform `HttpClientResponse` and a
 * core `BodyReader` over the exchange's body (responseBody.ts).
 *
 * Headers arrive as undici parsed them (lower-cased names, latin1 values, an
 * array for a repeated header); they become platform `Headers` (repeated
 * headers joined with ", " as `Headers.fromInput` does) when someone asks,
 * once.
 *
 * A compressed body (a `Content-Encoding` we know, when the attempt asks for
 * decoding) is read through a `decode.Decoding`: every way of reading it
 * gets decoded bytes, and the headers lose `Content-Encoding` and
 * `Content-Length`, which describe the bytes on the wire (as OkHttp, got and
 * axios do). A body without `Content-Encoding` costs one property lookup more
 * than before and makes no zlib object.
 *
 * @internal
 */
import * as BodyStream from "#line/bodyStream"
import { deferResume } from "#line/runtime"
import { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Exit from "@steadfast/core/line/Exit"
import { Cookies, Headers, type HttpClientResponse, HttpIncomingMessage, UrlParams } from "@steadfast/core/line/http"
import type { ResponseError } from "@steadfast/core/line/platformError"
import { type JsonBody, ResponseBase } from "@steadfast/core/line/platformResponse"
import * as Stream from "@steadfast/core/line/Stream"
import * as Option from "effect/Option"
import * as decode from "./decode.js"
import type { Exchange } from "./exchange.js"
import type { ResponseBody } from "./responseBody.js"

const HeadersProto: object = Object.getPrototypeOf(Headers.empty)

/** undici's parsed headers. @internal */
export type Parsed = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/** Platform `Headers` from undici's parsed headers. @internal */
export const decodeHeaders = (parsed: Parsed): Headers.Headers => {
  const out = Object.create(HeadersProto) as Record<string, string>
  for (const name in parsed) {
    const value = parsed[name]
    if (value === undefined) continue
    out[name] = typeof value === "string" ? value : value.join(", ")
  }
  return out as unknown as Headers.Headers
}

const decoder = new TextDecoder()

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

const NO_PLAN: decode.Plan = { _tag: "none" }

/** @internal */
export class NodeResponse extends ResponseBase implements HttpClientResponse.HttpClientResponse, Transport.BodyReader {
  private cachedHeaders: Headers.Headers | undefined = undefined
  private cachedCookies: Cookies.Cookies | undefined = undefined
  private collected: Exit.Exit<Uint8Array, ResponseError> | undefined = undefined
  private cachedPlan: decode.Plan | undefined = undefined

  constructor(
    readonly exchange: Exchange,
    readonly rawBody: ResponseBody,
    readonly status: number,
    readonly parsedHeaders: Parsed,
    readonly statusText: string
  ) {
    super()
  }

  get request() {
    return this.exchange.request
  }

  get headers(): Headers.Headers {
    if (this.cachedHeaders !== undefined) return this.cachedHeaders
    const headers = decodeHeaders(this.parsedHeaders)
    if (this.plan._tag === "decode") {
      delete (headers as Record<string, string>)["content-encoding"]
      delete (headers as Record<string, string>)["content-length"]
    }
    return this.cachedHeaders = headers
  }

  /** What to do with the body's `Content-Encoding` (decided once). */
  private get plan(): decode.Plan {
    if (this.cachedPlan !== undefined) return this.cachedPlan
    const header = this.parsedHeaders["content-encoding"]
    const exchange = this.exchange
    // HEAD, 204 and 304 have no body: their headers describe another response's
    return this.cachedPlan = header === undefined || !exchange.attempt.decompress || exchange.method === "HEAD" ||
        this.status === 204 || this.status === 304
      ? NO_PLAN
      : decode.plan(header)
  }

  /** The body, decoded when it has to be. */
  private readBody(onChunk: (chunk: Uint8Array) => boolean): Effect.Effect<void, ResponseError> {
    if (this.parsedHeaders["content-encoding"] === undefined) return this.rawBody.read(this, onChunk)
    const plan = this.plan
    switch (plan._tag) {
      case "decode":
        return Effect.async<void, ResponseError>((callback) => {
          const resume = deferResume(callback)
          const decoding = new decode.Decoding(this.rawBody, plan.codings, {
            chunk: onChunk,
            end: () => resume(Effect.void),
            fail: (cause) => resume(Effect.fail(this.exchange.bodyError(this, cause)))
          })
          decoding.start()
          return Effect.sync(() => decoding.stop())
        })
      case "tooMany":
        return Effect.suspend(() => {
          this.rawBody.abandon()
          return Effect.fail(this.exchange.bodyError(this, decode.tooManyCodings(plan.codings)))
        })
      default:
        return this.rawBody.read(this, onChunk)
    }
  }

  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const setCookie = this.parsedHeaders["set-cookie"]
    return this.cachedCookies = setCookie === undefined
      ? Cookies.empty
      : Cookies.fromSetCookie(typeof setCookie === "string" ? [setCookie] : setCookie)
  }

  get remoteAddress(): Option.Option<string> {
    const address = this.exchange.remoteAddress
    return address === undefined || address === null ? Option.none() : Option.some(address)
  }

  [Transport.BodyReaderTypeId](
    onChunk: (chunk: Uint8Array) => boolean
  ): Effect.Effect<void, ResponseError> {
    // started at once (core runs the read when it asks for it): an identity body read in full is an `Exit`
    return this.parsedHeaders["content-encoding"] === undefined
      ? this.rawBody.readNow(this, onChunk)
      : this.readBody(onChunk)
  }

  /** The whole body, read once (then the same result every time). */
  private get bytes(): Effect.Effect<Uint8Array, ResponseError> {
    return Effect.suspend(() => {
      if (this.collected !== undefined) return this.collected
      const chunks: Array<Uint8Array> = []
      let size = 0
      return this.readBody((chunk) => {
        chunks.push(chunk)
        size += chunk.length
        return true
      }).pipe(
        Effect.map(() => concat(chunks, size)),
        Effect.onExit((exit) =>
          Effect.sync(() => {
            if (!Exit.isInterrupted(exit)) this.collected = exit
          })
        )
      )
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, ResponseError> {
    return Effect.map(
      this.bytes,
      (bytes) =>
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
          ? bytes.buffer
          : new Uint8Array(bytes).buffer
    )
  }

  get text(): Effect.Effect<string, ResponseError> {
    return Effect.map(this.bytes, (bytes) => decoder.decode(bytes))
  }

  get json(): Effect.Effect<JsonBody, ResponseError> {
    return Effect.flatMap(this.text, (body) =>
      Effect.try({
        try: (): JsonBody => body === "" ? null : JSON.parse(body),
        catch: (cause) => this.exchange.bodyError(this, cause)
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, ResponseError> {
    return Effect.flatMap(this.text, (body) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(body)),
        catch: (cause) => this.exchange.bodyError(this, cause)
      }))
  }

  get formData(): Effect.Effect<FormData, ResponseError> {
    return Effect.flatMap(this.bytes, (bytes) =>
      Effect.tryPromise({
        try: () => new Response(bytes, { headers: { ...this.headers } }).formData(),
        catch: (cause) => this.exchange.bodyError(this, cause)
      }))
  }

  get stream(): Stream.Stream<Uint8Array, ResponseError> {
    if (this.parsedHeaders["content-encoding"] !== undefined && this.plan._tag !== "none") {
      if (this.plan._tag !== "unknown") return this.decodedStream(this.plan)
    }
    // pulled, not pushed: undici is paused while the consumer is behind
    return BodyStream.pulled(this.rawBody.pull(this)).pipe(
      // runs when the stream is closed early (or ends): stops the body then
      Stream.ensuring(Effect.sync(() => this.rawBody.abandon()))
    )
  }

  /**
   * The decoded body as a stream: the decoder's output is held back while
   * the stream's buffer is full, which holds undici back in turn.
   */
  private decodedStream(plan: decode.Plan): Stream.Stream<Uint8Array, ResponseError> {
    if (plan._tag === "tooMany") {
      return Stream.fail(this.exchange.bodyError(this, decode.tooManyCodings(plan.codings))).pipe(
        Stream.ensuring(Effect.sync(() => this.rawBody.abandon()))
      )
    }
    if (plan._tag !== "decode") return Stream.empty
    return BodyStream.pushed<ResponseError>((emit) => {
      const decoding: decode.Decoding = new decode.Decoding(this.rawBody, plan.codings, {
        chunk: (chunk) => {
          decoding.pause()
          void emit.single(chunk).then(() => decoding.resume())
          return true
        },
        end: () => void emit.end(),
        fail: (cause) => void emit.fail(this.exchange.bodyError(this, cause))
      })
      decoding.start()
      return () => decoding.stop()
    }, 4)
  }

  override toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}
