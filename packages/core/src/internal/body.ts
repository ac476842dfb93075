/**
 * Reading response bodies under the body idle timeout, the deadline and the
 * size limit; the preview of a failure body; the `StatusError`.
 *
 * @internal
 */
import type * as Cause from "#line/Cause"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import type { HttpClientResponse } from "#line/http"
import * as Errors from "../Errors.js"
import * as RetryAfter from "../RetryAfter.js"
import type { AttemptState } from "./attempt.js"
import { caught } from "./caught.js"
import { failure } from "./facts.js"
import { redactBody, redactHeaders } from "./redact.js"
import { builtSafe } from "./taggedError.js"
import { bodyReaderOf, BodyReaderTypeId, withoutStack } from "./transport.js"

/** At most this much of a failure or redirect body is read (and dropped), so the connection can be reused. */
export const DISCARD_LIMIT = 64 * 1024
const PREVIEW_LIMIT = 1024

const noHistory: ReadonlyArray<Errors.AttemptRecord> = []

const TEXTUAL = /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|problem\+json|x-www-form-urlencoded))/i

const decoder = new TextDecoder()

type StatusProps = ConstructorParameters<typeof Errors.StatusError>[0]

/**
 * The `StatusError` of a response whose status is a failure; `preview` is
 * the start of its body. Built safe as it is built (headers through
 * `redactHeaders`, the body through `redactBody`), so the constructor skips
 * its `safeProps` pass and keeps the props object (`builtSafe`).
 *
 * @internal
 */
export const statusError = (
  attempt: AttemptState,
  response: HttpClientResponse.HttpClientResponse,
  preview: Uint8Array | undefined
): Errors.StatusError =>
  withoutStack(() => {
    const call = attempt.call
    const headers = response.headers
    const retryAfter = headers["retry-after"]
    const retryAfterMs = retryAfter === undefined ? undefined : RetryAfter.parse(retryAfter, call.now())
    const type = headers["content-type"] ?? ""
    const body = preview !== undefined && preview.length > 0 && TEXTUAL.test(type)
      ? redactBody(decoder.decode(preview.subarray(0, PREVIEW_LIMIT)))
      : undefined
    // optional fields assigned, not spread in: a spread in a literal takes V8's slow path
    const props: { -readonly [K in keyof StatusProps]: StatusProps[K] } = {
      request: call.requestInfo,
      attempts: call.attempts,
      history: noHistory,
      status: response.status,
      headers: redactHeaders(headers, call.cfg.redirects.sensitiveHeaders)
    }
    if (retryAfterMs !== undefined) props.retryAfterMs = retryAfterMs
    if (body !== undefined) props.body = body
    return new Errors.StatusError(props, builtSafe as true)
  })

/** Reads and drops up to 64 KiB so the connection can be reused; errors are ignored. @internal */
export const discard = (attempt: AttemptState, response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.ignore(readLimited(attempt, response, DISCARD_LIMIT))

/** Reads at most `limit` bytes (the rest is dropped), keeping the first KiB, or `undefined` on failure. @internal */
export const readLimited = (
  attempt: AttemptState,
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<Uint8Array | undefined> => readLimitedThen(attempt, response, limit, Effect.succeed)

/**
 * Reads as {@link readLimited} does, then `then` of what it kept, in the
 * same step (a body read in full already takes no step for the read).
 *
 * @internal
 */
export const readLimitedThen = <A, E>(
  attempt: AttemptState,
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  then: (preview: Uint8Array | undefined) => Effect.Effect<A, E>
): Effect.Effect<A, E> => {
  // the first chunk kept alone, an array only from the second (a failure body is most often one chunk)
  let first: Uint8Array | undefined
  let chunks: Array<Uint8Array> | undefined
  let size = 0
  let kept = 0
  const read = bodyReaderOf(response, attempt)[BodyReaderTypeId]((chunk) => {
    attempt.activity(chunk.length)
    if (kept < PREVIEW_LIMIT) {
      if (first === undefined) first = chunk
      else if (chunks === undefined) chunks = [first, chunk]
      else chunks.push(chunk)
      kept += chunk.length
    }
    size += chunk.length
    return size < limit
  })
  const preview = () => chunks !== undefined ? concat(chunks, kept) : first ?? new Uint8Array(0)
  // read in full already (the reader returned its `Exit`): no step for it
  if (Exit.isExit(read) && Exit.isSuccess(read)) return then(preview())
  // as `Effect.match` then `flatMap`: a failed read leaves no preview; defects and interruption pass through
  return Effect.matchEffect(read, { onFailure: () => then(undefined), onSuccess: () => then(preview()) })
}

/** The body passed `maxBodySize`. @internal */
export const tooLarge = (attempt: AttemptState): Errors.BodyTooLarge =>
  new Errors.BodyTooLarge({
    request: attempt.call.requestInfo,
    attempts: attempt.call.attempts,
    history: noHistory,
    limit: attempt.call.cfg.maxBodySize
  }, true)

/**
 * Reads the whole body under the body idle timeout and the size limit.
 *
 * @internal
 */
export const readBody = (
  attempt: AttemptState,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Uint8Array, Errors.HttpError> => readBodyThen(attempt, response, succeedWith)

const succeedWith = (_: AttemptState, __: HttpClientResponse.HttpClientResponse, bytes: Uint8Array) =>
  Effect.succeed(bytes)

/**
 * Reads the whole body as {@link readBody} does, then `then` of its bytes,
 * in the same step (a `flatMap` after the read would cost one more).
 *
 * @internal
 */
export const readBodyThen = <A>(
  attempt: AttemptState,
  response: HttpClientResponse.HttpClientResponse,
  then: (
    attempt: AttemptState,
    response: HttpClientResponse.HttpClientResponse,
    bytes: Uint8Array
  ) => Effect.Effect<A, Errors.HttpError>
): Effect.Effect<A, Errors.HttpError> => {
  const limit = attempt.call.cfg.maxBodySize
  // HEAD, 204 and 304 have no body whatever content-length says (RFC 9110 §8.6)
  const declared = attempt.call.request.method === "HEAD" || response.status === 204 || response.status === 304
    ? undefined
    : response.headers["content-length"]
  if (declared !== undefined && Number(declared) > limit) {
    attempt.abort("BodyTooLarge")
    return Effect.fail(tooLarge(attempt))
  }
  // the bytes are copied into one buffer as they come (not kept as one view per chunk, which costs
  // about a hundred bytes per chunk and keeps the socket's read buffers alive); a body of one chunk
  // is kept as it is
  let first: Uint8Array | undefined
  let buffer: Uint8Array | undefined
  let size = 0
  let over = false
  const read = bodyReaderOf(response, attempt)[BodyReaderTypeId]((chunk) => {
    attempt.activity(chunk.length)
    const end = size + chunk.length
    if (end > limit) {
      over = true
      return false
    }
    if (first === undefined && buffer === undefined) first = chunk
    else {
      if (buffer === undefined || end > buffer.length) {
        const grown = new Uint8Array(Math.min(limit, Math.max(end, 2 * (buffer?.length ?? first!.length), 4096)))
        if (buffer !== undefined) grown.set(buffer.subarray(0, size))
        else grown.set(first!)
        buffer = grown
        first = undefined
      }
      buffer.set(chunk, size)
    }
    size = end
    return true
  })
  // as `Effect.matchEffect` would: defects and interruption pass through
  const onFailure = (cause: Cause.Cause<unknown>) => caught(cause, (error) => Effect.fail(failure(attempt, error)))
  const onSuccess = () =>
    over
      ? Effect.fail(tooLarge(attempt))
      : then(attempt, response, buffer !== undefined ? buffer.subarray(0, size) : first ?? new Uint8Array(0))
  // a body read in full already (the reader returned its `Exit`): no step for it
  if (Exit.isExit(read)) return Exit.isSuccess(read) ? onSuccess() : onFailure(read.cause)
  return Effect.matchCauseEffect(read, { onFailure, onSuccess })
}

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1 && chunks[0]!.length === size) return chunks[0]!
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    if (offset >= size) break
    const part = chunk.length > size - offset ? chunk.subarray(0, size - offset) : chunk
    out.set(part, offset)
    offset += part.length
  }
  return out
}
