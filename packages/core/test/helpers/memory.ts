/**
 * A small in-memory transport for the core tests: a handler answers each
 * request, under Effect's clock. It is offered both as a platform `HttpClient`
 * built with `HttpClient.make` (the generic path: one fiber per attempt) and
 * as a direct `Transport` (the fast path), so every rule can be tested on both.
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import { Cookies, Headers, HttpClient, UrlParams } from "#line/http"
import type { HttpClientError, HttpClientRequest, HttpClientResponse } from "#line/http"
import { requestError, type ResponseError, responseError } from "#line/platformError"
import { type JsonBody, ResponseBase } from "#line/platformResponse"
import * as Stream from "#line/Stream"
import { Transport } from "@steadfast/core"
import * as Option from "effect/Option"

export interface MemRequest {
  readonly index: number
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly signal: AbortSignal
  /** Reports the connection (the direct path then starts the response timeout). */
  readonly connected: () => void
}

export interface Chunk {
  readonly after?: Duration.DurationInput
  readonly data: string
}

export interface MemReply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** The body in chunks, each after a pause. */
  readonly chunks?: ReadonlyArray<Chunk>
  /** After the chunks, the body read fails with this cause. */
  readonly failWith?: unknown
}

export interface Handler {
  (request: MemRequest): Effect.Effect<MemReply, unknown>
  /** When true the handler calls `request.connected()` itself. */
  readonly manualConnect?: boolean
}

export interface Mem {
  readonly client: HttpClient.HttpClient
  /** The same server as a platform client without the direct path. */
  readonly genericClient: HttpClient.HttpClient
  readonly requests: Array<MemRequest>
}

const encoder = new TextEncoder()

/** Sleeps, but wakes early (failing with the reason) when `signal` aborts. */
const abortableSleep = (d: Duration.DurationInput, signal: AbortSignal): Effect.Effect<void, unknown> =>
  Effect.raceFirst(
    Effect.sleep(d),
    Effect.async<never, unknown>((resume) => {
      const onAbort = () => resume(Effect.fail(signal.reason))
      if (signal.aborted) return onAbort()
      signal.addEventListener("abort", onAbort, { once: true })
      return Effect.sync(() => signal.removeEventListener("abort", onAbort))
    })
  )

const abortable = <A>(effect: Effect.Effect<A, unknown>, signal: AbortSignal): Effect.Effect<A, unknown> =>
  Effect.raceFirst(
    effect,
    Effect.async<never, unknown>((resume) => {
      const onAbort = () => resume(Effect.fail(signal.reason))
      if (signal.aborted) return onAbort()
      signal.addEventListener("abort", onAbort, { once: true })
      return Effect.sync(() => signal.removeEventListener("abort", onAbort))
    })
  )

class MemResponse extends ResponseBase implements HttpClientResponse.HttpClientResponse, Transport.BodyReader {
  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly reply: MemReply,
    readonly signal: AbortSignal
  ) {
    super()
  }
  get status() {
    return this.reply.status
  }
  get headers() {
    return Headers.fromInput(this.reply.headers ?? {})
  }
  get cookies() {
    return Cookies.empty
  }
  get remoteAddress() {
    return Option.none()
  }
  private get chunks(): ReadonlyArray<Chunk> {
    return this.reply.chunks ?? (this.reply.body === undefined ? [] : [{ data: this.reply.body }])
  }
  private error(cause: unknown): ResponseError {
    return responseError({ request: this.request, response: this, reason: "Decode", cause })
  }
  [Transport.BodyReaderTypeId](onChunk: (chunk: Uint8Array) => boolean) {
    const loop = (i: number): Effect.Effect<void, ResponseError> => {
      if (i >= this.chunks.length) {
        return this.reply.failWith === undefined ? Effect.void : Effect.fail(this.error(this.reply.failWith))
      }
      const chunk = this.chunks[i]!
      const wait = chunk.after === undefined ? Effect.void : abortableSleep(chunk.after, this.signal)
      return Effect.flatMap(
        Effect.mapError(wait, (e) => this.error(e)),
        () => onChunk(encoder.encode(chunk.data)) ? loop(i + 1) : Effect.void
      )
    }
    return loop(0)
  }
  get stream(): Stream.Stream<Uint8Array, ResponseError> {
    return Stream.flatMap(Stream.fromIterable(this.chunks), (chunk) =>
      Stream.fromEffect(
        Effect.as(
          chunk.after === undefined ? Effect.void : Effect.sleep(chunk.after),
          encoder.encode(chunk.data)
        )
      )).pipe(
        Stream.concat(this.reply.failWith === undefined ? Stream.empty : Stream.fail(this.error(this.reply.failWith)))
      )
  }
  get text(): Effect.Effect<string, ResponseError> {
    return Effect.map(Stream.runCollect(this.stream), (c) => Array.from(c, (b) => new TextDecoder().decode(b)).join(""))
  }
  get json(): Effect.Effect<JsonBody, ResponseError> {
    return Effect.map(this.text, (t) => JSON.parse(t) as JsonBody)
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, ResponseError> {
    return Effect.map(this.text, (t) => encoder.encode(t).buffer as ArrayBuffer)
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, ResponseError> {
    return Effect.map(this.text, (t) => UrlParams.fromInput(new URLSearchParams(t)))
  }
  get formData(): Effect.Effect<FormData, ResponseError> {
    return Effect.die("not supported")
  }
  override toJSON() {
    return { status: this.status }
  }
}

const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  if (body._tag === "Uint8Array") return new TextDecoder().decode(body.body)
  if (body._tag === "Raw" && typeof body.body === "string") return body.body
  return ""
}

export interface Options {
  /** How long connecting takes for a request (the direct path reports it). */
  readonly connectDelay?: (request: MemRequest) => Duration.DurationInput | undefined
  /**
   * The handler answers at once and is not raced against the abort signal,
   * so the transport itself forks no fiber (for the fork-counting tests).
   */
  readonly instant?: boolean
}

export const make = (handler: Handler, options: Options = {}): Mem => {
  const requests: Array<MemRequest> = []
  const send = (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    signal: AbortSignal,
    connected: () => void
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
    Effect.suspend(() => {
      const memRequest: MemRequest = {
        index: requests.length,
        method: request.method,
        url,
        headers: { ...request.headers },
        body: bodyText(request),
        signal,
        connected
      }
      requests.push(memRequest)
      const delay = options.connectDelay?.(memRequest)
      const connect = delay === undefined ? Effect.void : abortableSleep(delay, signal)
      return Effect.flatMap(connect, () => {
        if (handler.manualConnect !== true) connected()
        return options.instant === true ? handler(memRequest) : abortable(handler(memRequest), signal)
      })
    }).pipe(
      Effect.map((reply): HttpClientResponse.HttpClientResponse => new MemResponse(request, reply, signal)),
      Effect.mapError((cause) => requestError({ request, reason: "Transport", cause }))
    )
  const genericClient = HttpClient.make((request, url, signal) => send(request, url, signal, () => {}))
  const transport: Transport.Transport = {
    tracksConnect: true,
    send: (request, url, attempt) =>
      send(request, url, attempt.signal, () => {
        attempt.connected(false)
        attempt.written()
      })
  }
  return { client: Transport.withTransport(genericClient, transport), genericClient, requests }
}

/** Replies in order, one per request; the last one repeats. */
export const sequence = (
  ...replies: ReadonlyArray<MemReply | { readonly fail: unknown } | { readonly failConnect: unknown } | "hang">
): Handler => {
  let i = 0
  const handler = (request: MemRequest) => {
    const reply = replies[Math.min(i++, replies.length - 1)]!
    if (typeof reply === "object" && "failConnect" in reply) return Effect.fail(reply.failConnect)
    request.connected()
    if (reply === "hang") return Effect.never
    if ("fail" in reply) return Effect.fail(reply.fail)
    return Effect.succeed(reply)
  }
  return Object.assign(handler, { manualConnect: true })
}

/** A Node-style error with a code. */
export const nodeError = (code: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(`${extra["syscall"] ?? "connect"} ${code}`), { code, ...extra })

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): MemReply => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(value)
})

export const ms = (d: Duration.DurationInput) => Duration.toMillis(Duration.decode(d))
