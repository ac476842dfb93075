import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { constTrue } from "effect/Function"
import * as Stream from "effect/Stream"
import type * as Api from "../Transport.js"
import type { Attempt, BodyReader, Transport } from "../Transport.js"

/** @internal */
export const TransportTypeId: Api.TransportTypeId = Symbol.for("@steadfast/core/Transport") as Api.TransportTypeId

/** @internal */
export const BodyReaderTypeId: Api.BodyReaderTypeId = Symbol.for(
  "@steadfast/core/Transport/BodyReader"
) as Api.BodyReaderTypeId

const AbortBrand = Symbol.for("@steadfast/core/Transport/AttemptAborted")

/**
 * Runs `f` with V8's stack capture off. Errors built on the retry path are
 * thrown away or rebuilt (the final error is rebuilt with its attempt history
 * and gets its stack then); capturing a stack for each costs more than the
 * rest of their construction.
 *
 * @internal
 */
export const withoutStack = <A>(f: () => A): A => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return f()
  } finally {
    Error.stackTraceLimit = limit
  }
}

/**
 * The reason the client puts on an attempt's abort signal. An `Error`, as
 * `AbortSignal` reasons are expected to be, but without a stack: it is a
 * message from the client to the transport, and its stack would only show
 * the client's internals (build it with {@link abortReason}).
 *
 * @internal
 */
export class AttemptAborted extends Error {
  /** A brand rather than `instanceof`, so two copies of core still agree. */
  readonly [AbortBrand] = true
  constructor(readonly tag: string) {
    super(`steadfast: attempt aborted (${tag})`)
    this.name = "AttemptAborted"
  }
}

const isAttemptAborted = (u: unknown): u is AttemptAborted =>
  typeof u === "object" && u !== null && (u as { readonly [AbortBrand]?: boolean })[AbortBrand] === true

/** @internal */
export const abortReasonTag = (signal: AbortSignal): string | undefined =>
  signal.aborted && isAttemptAborted(signal.reason) ? signal.reason.tag : undefined

/** @internal */
export const abortReason = (tag: string): AttemptAborted => withoutStack(() => new AttemptAborted(tag))

/** @internal */
export const withTransport = (client: HttpClient.HttpClient, transport: Transport): HttpClient.HttpClient => {
  const copy = Object.create(Object.getPrototypeOf(client), Object.getOwnPropertyDescriptors(client))
  copy[TransportTypeId] = transport
  return copy
}

const abortedError = (request: HttpClientRequest.HttpClientRequest, signal: AbortSignal) =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause: signal.reason })

/**
 * Runs `effect` in a child fiber that is interrupted as soon as `signal`
 * aborts; the abort then surfaces as a failure built by `onAbort`.
 */
const abortable = <A, E>(
  effect: Effect.Effect<A, E>,
  signal: AbortSignal,
  onAbort: () => E
): Effect.Effect<A, E> =>
  signal.aborted ? Effect.fail(onAbort()) : Effect.flatMap(Effect.fork(effect), (fiber) => {
    const interrupt = () => fiber.unsafeInterruptAsFork(FiberId.none)
    signal.addEventListener("abort", interrupt, { once: true })
    return Effect.flatMap(
      Effect.onInterrupt(Fiber.await(fiber), () => Fiber.interrupt(fiber)),
      (exit) => {
        signal.removeEventListener("abort", interrupt)
        if (Exit.isSuccess(exit)) return Effect.succeed(exit.value)
        return signal.aborted ? Effect.fail(onAbort()) : Exit.failCause(exit.cause)
      }
    )
  })

class GenericBody implements BodyReader {
  constructor(
    readonly response: HttpClientResponse.HttpClientResponse,
    readonly signal: AbortSignal
  ) {}
  [BodyReaderTypeId](onChunk: (chunk: Uint8Array) => boolean) {
    const read = Stream.runDrain(
      Stream.takeWhile(this.response.stream, (chunk) => onChunk(chunk))
    )
    return abortable(read, this.signal, () =>
      new HttpClientError.ResponseError({
        request: this.response.request,
        response: this.response,
        reason: "Decode",
        cause: this.signal.reason
      }))
  }
}

/**
 * The body reader of a response: its own when it has one, else one over
 * `response.stream` that honours the attempt's signal.
 *
 * @internal
 */
export const bodyReaderOf = (
  response: HttpClientResponse.HttpClientResponse,
  attempt: Attempt
): BodyReader =>
  BodyReaderTypeId in response ? response as unknown as BodyReader : new GenericBody(response, attempt.signal)

/**
 * The request as a platform client must receive it: with the url the client
 * resolved (base url applied, query parameters and fragment in place,
 * credentials moved to a header), not the one the user wrote, which may be
 * relative.
 */
const resolved = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): HttpClientRequest.HttpClientRequest =>
  request.url === url.href && request.urlParams.length === 0 && request.hash._tag === "None"
    ? request
    : HttpClientRequest.setUrl(request, url)

/** @internal */
export const fromHttpClient = (client: HttpClient.HttpClient): Transport => {
  const direct = (client as unknown as { readonly [TransportTypeId]?: Transport })[TransportTypeId]
  if (direct !== undefined) return direct
  // the client's own span and trace headers (`b3` and `traceparent`, everywhere) give way to the client's:
  // a span per request on the wire, its url redacted, headers only where the propagation policy sends them
  const quiet = HttpClient.withTracerDisabledWhen(client, constTrue)
  return {
    tracksConnect: false,
    send: (request: HttpClientRequest.HttpClientRequest, url: URL, attempt: Attempt) => {
      const sent = resolved(request, url)
      return abortable(quiet.execute(sent), attempt.signal, () => abortedError(sent, attempt.signal))
    }
  }
}
