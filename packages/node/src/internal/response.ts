/**
 * A response of the undici transport: a platform `HttpClientResponse` and a
 * core `BodyReader` over the exchange's body.
 *
 * Headers arrive as undici parsed them (lower-cased names, latin1 values, an
 * array for a repeated header); they become platform `Headers` (repeated
 * headers joined with ", " as `Headers.fromInput` does) when someone asks,
 * once.
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import { Transport } from "@steadfast/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Exchange } from "./exchange.js"

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

/** @internal */
export class NodeResponse extends Inspectable.Class
  implements HttpClientResponse.HttpClientResponse, Transport.BodyReader
{
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  private cachedHeaders: Headers.Headers | undefined = undefined
  private cachedCookies: Cookies.Cookies | undefined = undefined
  private collected: Exit.Exit<Uint8Array, HttpClientError.ResponseError> | undefined = undefined

  constructor(
    readonly exchange: Exchange,
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
    return this.cachedHeaders ??= decodeHeaders(this.parsedHeaders)
  }

  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const setCookie = this.parsedHeaders["set-cookie"]
    return this.cachedCookies = setCookie === undefined
      ? Cookies.empty
      : Cookies.fromSetCookie(typeof setCookie === "string" ? [setCookie] : setCookie)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.exchange.remoteAddress)
  }

  [Transport.BodyReaderTypeId](
    onChunk: (chunk: Uint8Array) => boolean
  ): Effect.Effect<void, HttpClientError.ResponseError> {
    return this.exchange.read(this, onChunk)
  }

  /** The whole body, read once (then the same result every time). */
  private get bytes(): Effect.Effect<Uint8Array, HttpClientError.ResponseError> {
    return Effect.suspend(() => {
      if (this.collected !== undefined) return this.collected
      const chunks: Array<Uint8Array> = []
      let size = 0
      return this.exchange.read(this, (chunk) => {
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

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(
      this.bytes,
      (bytes) =>
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
          ? bytes.buffer
          : new Uint8Array(bytes).buffer
    )
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.bytes, (bytes) => decoder.decode(bytes))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (body) =>
      Effect.try({
        try: () => body === "" ? null : JSON.parse(body) as unknown,
        catch: (cause) => this.exchange.bodyError(this, cause)
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (body) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(body)),
        catch: (cause) => this.exchange.bodyError(this, cause)
      }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.bytes, (bytes) =>
      Effect.tryPromise({
        try: () => new Response(bytes, { headers: { ...this.headers } }).formData(),
        catch: (cause) => this.exchange.bodyError(this, cause)
      }))
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    // pulled, not pushed: undici is paused while the consumer is behind
    return Stream.repeatEffectChunkOption(this.exchange.pull(this)).pipe(
      // runs when the stream is closed early (or ends): stops the body then
      Stream.ensuring(Effect.sync(() => this.exchange.abandon()))
    )
  }

  override toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}
