/**
 * The response `execute` returns: a platform `HttpClientResponse` whose body,
 * however it is read, stays under the client's body idle timeout, deadline
 * and size limit. Body failures surface as platform `ResponseError`s whose
 * `cause` is the tagged steadfast error.
 *
 * @internal
 */
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import { UrlParams } from "#line/http"
import type { Cookies, Headers, HttpClientRequest, HttpClientResponse } from "#line/http"
import { type ResponseError, responseError } from "#line/platformError"
import { platformFields } from "#line/platformReason"
import { type JsonBody, ResponseBase } from "#line/platformResponse"
import * as Stream from "#line/Stream"
import type * as Option from "effect/Option"
import type * as Errors from "../Errors.js"
import type { AttemptState } from "./attempt.js"
import { readBody, tooLarge } from "./body.js"
import { safeCause } from "./cause.js"
import { failure, timeoutError } from "./facts.js"
import { safeRequest, safeResponseView } from "./platform.js"
import { redactFreeText, redactHeaders } from "./redact.js"
import { abortReasonTag } from "./transport.js"

const decoder = new TextDecoder()

/** @internal */
export class ResilientResponse extends ResponseBase implements HttpClientResponse.HttpClientResponse {
  private cachedBody: Effect.Effect<Uint8Array, ResponseError> | undefined = undefined

  constructor(
    readonly attempt: AttemptState,
    readonly original: HttpClientResponse.HttpClientResponse
  ) {
    super()
    attempt.keepAlive = true
  }

  get request(): HttpClientRequest.HttpClientRequest {
    return this.original.request
  }
  get status(): number {
    return this.original.status
  }
  get headers(): Headers.Headers {
    return this.original.headers
  }
  get cookies(): Cookies.Cookies {
    return this.original.cookies
  }
  get remoteAddress(): Option.Option<string> {
    return this.original.remoteAddress
  }

  /** A body failure: the request and response in it are safe views (redacted url and headers, no body). */
  private fail(error: Errors.HttpError | unknown, description?: string) {
    const request = safeRequest(this.original.request, this.attempt.call.requestInfo.url)
    return responseError({
      request,
      response: safeResponseView(this, request),
      reason: "Decode",
      cause: safeCause(error),
      description: redactFreeText(description ?? (error instanceof Error ? error.message : String(error)))
    })
  }

  /** The whole body, read once (cached), under the client's limits. */
  get bytes(): Effect.Effect<Uint8Array, ResponseError> {
    return this.cachedBody ??= Effect.runSync(Effect.cached(
      Effect.suspend(() => {
        const attempt = this.attempt
        return readBody(attempt, this.original).pipe(
          Effect.mapError((e) => this.fail(e)),
          Effect.onExit((exit) =>
            Effect.sync(() => {
              // the attempt is aborted on interruption: its transport may rely on it (`Attempt.abortsOnInterrupt`)
              if (Exit.isInterrupted(exit)) attempt.abort("Interrupted")
              attempt.done()
            })
          )
        )
      })
    ))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, ResponseError> {
    return Effect.map(this.bytes, (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)
  }

  get text(): Effect.Effect<string, ResponseError> {
    return Effect.map(this.bytes, (b) => decoder.decode(b))
  }

  get json(): Effect.Effect<JsonBody, ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => text === "" ? null : JSON.parse(text) as JsonBody,
        catch: (cause) => this.fail(cause, "the body is not valid JSON")
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, ResponseError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }

  get formData(): Effect.Effect<FormData, ResponseError> {
    return Effect.flatMap(this.bytes, (bytes) =>
      Effect.tryPromise({
        try: () =>
          new Response(bytes, { headers: { "content-type": this.original.headers["content-type"] ?? "" } })
            .formData(),
        catch: (cause) => this.fail(cause, "the body is not valid form data")
      }))
  }

  get stream(): Stream.Stream<Uint8Array, ResponseError> {
    return Stream.suspend(() => {
      const attempt = this.attempt
      const limit = attempt.call.cfg.maxBodySize
      let size = 0
      const signal = attempt.signal
      const aborted = Effect.async<never, ResponseError>((resume) => {
        const onAbort = () => resume(Effect.fail(this.fail(this.abortError(attempt))))
        if (signal.aborted) return onAbort()
        signal.addEventListener("abort", onAbort, { once: true })
        return Effect.sync(() => signal.removeEventListener("abort", onAbort))
      })
      return this.original.stream.pipe(
        Stream.mapError((e) =>
          signal.aborted
            ? this.fail(this.abortError(attempt))
            : this.fail(failure(attempt, platformFields(e)?.cause ?? e))
        ),
        Stream.mapChunksEffect((chunk) => {
          let n = 0
          for (const c of chunk) n += c.length
          attempt.activity(n)
          size += n
          return size > limit
            ? Effect.fail(this.fail(tooLargeOf(attempt)))
            : Effect.succeed(chunk)
        }),
        Stream.interruptWhen(aborted),
        Stream.ensuring(Effect.sync(() => attempt.done()))
      )
    })
  }

  private abortError(attempt: AttemptState): Errors.HttpError {
    const tag = abortReasonTag(attempt.signal) ?? "DeadlineExceeded"
    return timeoutError(attempt, tag, attempt.signal.reason)
  }

  override toJSON(): unknown {
    return {
      _id: "@steadfast/core/ResilientResponse",
      request: this.attempt.call.requestInfo,
      status: this.status,
      headers: redactHeaders(this.headers, this.attempt.call.cfg.redirects.sensitiveHeaders)
    }
  }
}

const tooLargeOf = (attempt: AttemptState): Errors.HttpError => {
  attempt.abort("BodyTooLarge")
  return tooLarge(attempt)
}
