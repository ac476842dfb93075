import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import { FetchHttpClient, HttpClient as PlatformClient, HttpClientError, HttpClientRequest } from "#line/http"
import type { HttpClient, HttpClientResponse } from "#line/http"
import { requestError, responseError } from "#line/platformError"
import { platformFields } from "#line/platformReason"
import { interruptFiber } from "#line/unsafe"
import { urlParamsEntries } from "#line/urlParams"
import { constTrue } from "effect/Function"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Redirects from "../Redirects.js"
import type * as Api from "../Transport.js"
import type { Attempt, BodyReader, Transport } from "../Transport.js"
import * as browser from "./browser.js"
import { OPAQUE_NETWORK, OPAQUE_REDIRECT, type OpaqueFacts } from "./opaque.js"

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
  requestError({ request, reason: "Transport", cause: signal.reason })

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
    const interrupt = () => interruptFiber(fiber)
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
      responseError({
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
  request.url === url.href && urlParamsEntries(request.urlParams).length === 0 && request.hash._tag === "None"
    ? request
    : HttpClientRequest.setUrl(request, url)

/** @internal */
export const fromHttpClient = (client: HttpClient.HttpClient): Transport => {
  const direct = (client as unknown as { readonly [TransportTypeId]?: Transport })[TransportTypeId]
  if (direct !== undefined) return direct
  // the client's own span and trace headers (`b3` and `traceparent`, everywhere) give way to the client's:
  // a span per request on the wire, its url redacted, headers only where the propagation policy sends them
  const quiet = PlatformClient.withTracerDisabledWhen(client, constTrue)
  return {
    tracksConnect: false,
    send: (request: HttpClientRequest.HttpClientRequest, url: URL, attempt: Attempt) => {
      const sent = resolved(request, url)
      const page = browser.currentPage()
      return abortable(
        page === undefined ? outsidePage(quiet, sent) : inPage(quiet, sent, url, attempt, page),
        attempt.signal,
        () => abortedError(sent, attempt.signal)
      )
    }
  }
}

/**
 * Outside a page (Node, Deno, Bun, workers' runtimes) fetch answers
 * `redirect: "manual"` with the redirect itself, `Location` included, so the
 * client follows it with all its rules; fetch would follow it blindly (a
 * header listed in `sensitiveHeaders` sent to another origin, 20 hops).
 * Other platform clients ignore `FetchHttpClient.RequestInit`; a
 * `redirect` the user set there is kept.
 */
const outsidePage = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (given) =>
      given._tag === "Some" && given.value.redirect !== undefined
        ? client.execute(request)
        : Effect.provideService(client.execute(request), FetchHttpClient.RequestInit, {
          ...(given._tag === "Some" ? given.value : {}),
          redirect: "manual"
        })
  )

/** The client's rules the transport needs in a page (the attempt a client hands in carries them). */
interface Rules {
  readonly redirects: Redirects.Policy
  readonly allowAddress: unknown
}

const rulesOf = (attempt: Attempt): Rules | undefined =>
  (attempt as { readonly call?: { readonly cfg?: Rules } }).call?.cfg

const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  requestError({ request, reason: "Transport", cause })

const withCode = (message: string, fields: object, cause?: unknown): Error =>
  withoutStack(() => Object.assign(new Error(message, cause === undefined ? undefined : { cause }), fields))

/**
 * One request over fetch in a page: fetch follows redirects itself only
 * when the client's redirect rules hold anyway (else `redirect: "manual"`,
 * and the opaque redirect it gets fails typed); a fetch `TypeError` is
 * reported with what the page can see (see `Classify.OPAQUE_NETWORK`),
 * probing a cross-origin server once to tell CORS from an unreachable server.
 */
const inPage = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  attempt: Attempt,
  page: browser.Page
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (given) => {
    const init: globalThis.RequestInit = Option.getOrElse(given, () => ({}))
    const rules = rulesOf(attempt)
    const mode = init.redirect === "manual" || init.redirect === "error" || rules === undefined
      ? init.redirect
      : browser.redirectMode(rules.redirects, rules.allowAddress, request, url, page)
    const run = mode === undefined || mode === init.redirect
      ? client.execute(request)
      : Effect.provideService(client.execute(request), FetchHttpClient.RequestInit, { ...init, redirect: mode })
    return Effect.matchEffect(run, {
      onSuccess: (response) =>
        response.status !== 0
          ? Effect.succeed(response)
          : Effect.fail(transportError(
            request,
            mode === "manual"
              ? withCode("fetch returned an opaque redirect (status 0)", { code: OPAQUE_REDIRECT })
              : opaqueFacts(url, page, true, [], undefined)
          )),
      onFailure: (error) => {
        const fields = platformFields(error)
        const cause = fields?.kind === "RequestError" && fields.reason === "Transport" ? fields.cause : undefined
        if (!(cause instanceof TypeError) || attempt.aborted) return Effect.fail(error)
        // trace headers are on the request itself when the propagation policy sent them (the platform's are off)
        return Effect.suspend(() => {
          const preflight = browser.preflightReasons(request, false)
          const online = browser.onLine()
          const crossOrigin = url.origin !== page.origin
          if (!crossOrigin || online === false || browser.isMixedContent(page, url)) {
            return Effect.fail(transportError(request, opaqueFacts(url, page, undefined, preflight, cause)))
          }
          return Effect.flatMap(
            probe(url, attempt),
            (answered) => Effect.fail(transportError(request, opaqueFacts(url, page, answered, preflight, cause)))
          )
        })
      }
    })
  })

const opaqueFacts = (
  url: URL,
  page: browser.Page,
  serverAnswered: boolean | undefined,
  preflight: ReadonlyArray<string>,
  cause: unknown
): Error => {
  const facts: OpaqueFacts = {
    online: browser.onLine(),
    crossOrigin: url.origin !== page.origin,
    mixedContent: browser.isMixedContent(page, url),
    serverAnswered,
    preflight
  }
  return withCode("fetch failed; the browser hides why", { code: OPAQUE_NETWORK, ...facts }, cause)
}

/**
 * Whether the server of a cross-origin url answers at all: one `HEAD` in
 * `no-cors` mode (no credentials, no custom headers, so no preflight; the
 * page cannot read the answer, only that there was one). Cut off with the
 * attempt.
 */
const probe = (url: URL, attempt: Attempt): Effect.Effect<boolean> =>
  Effect.flatMap(Effect.serviceOption(FetchHttpClient.Fetch), (given) => {
    const fetch = Option.getOrElse(given, () => globalThis.fetch)
    return Effect.orElseSucceed(
      Effect.tryPromise(() =>
        fetch(url.href, {
          method: "HEAD",
          mode: "no-cors",
          credentials: "omit",
          cache: "no-store",
          redirect: "follow", // no-cors allows no other mode
          referrerPolicy: "no-referrer",
          signal: attempt.signal
        } as globalThis.RequestInit).then(() => true)
      ),
      () => false
    )
  })
