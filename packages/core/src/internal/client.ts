/**
 * The request engine: deadline, retry loop, redirects, timeouts and body
 * reading, on one fiber per request.
 *
 * Nothing here forks a fiber on the happy path. Timeouts register one entry
 * with the client's DeadlineScheduler; the scheduler aborts the attempt's
 * signal when an entry expires, the transport fails promptly, and the failure
 * is read back as the timeout's tagged error.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as MetricLabel from "effect/MetricLabel"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import type * as Tracer from "effect/Tracer"
import * as Classify from "../Classify.js"
import * as Errors from "../Errors.js"
import * as Metrics from "../Metrics.js"
import type * as RateLimit from "../RateLimit.js"
import * as Redirects from "../Redirects.js"
import * as Retry from "../Retry.js"
import * as RetryAfter from "../RetryAfter.js"
import type { Attempt, Transport } from "../Transport.js"
import { redactHeaders, redactUrl } from "./redact.js"
import type { DeadlineScheduler, Timed } from "./scheduler.js"
import { abortReason, type AttemptAborted, bodyReaderOf, BodyReaderTypeId, withoutStack } from "./transport.js"
import { literalRefusal, resolve as resolveUrl, type UrlRules } from "./url.js"

/** Everything a request needs from its client, resolved once per client. @internal */
export interface Compiled {
  readonly transport: Transport
  readonly scheduler: DeadlineScheduler
  readonly clock: Clock.Clock
  readonly retry: Retry.Policy
  readonly redirects: Redirects.Policy
  readonly connectMs: number
  readonly responseMs: number
  readonly bodyIdleMs: number
  readonly deadlineMs: number
  readonly retryAfterMaxMs: number
  readonly maxElapsedMs: number
  readonly maxBodySize: number
  readonly isFailure: (status: number) => boolean
  readonly baseUrl: URL | undefined
  /** Where requests may go (base origin and path). */
  readonly urls: UrlRules
  /** The SSRF guard over addresses (IP literals here; resolved names in the transport). */
  readonly allowAddress: ((address: string) => boolean) | undefined
  readonly spans: boolean
  readonly metrics: boolean
  readonly proxyFor: ((url: URL) => Classify.Context["proxy"]) | undefined
  /** The rate limiter gating each attempt (rate limit comes first of the per-attempt policies). */
  readonly rateLimit: RateLimit.Limiter | undefined
}

/** What to do with a final (non-redirect, non-failure) response, inside the attempt. @internal */
export type OnResponse<A, R> = (
  call: Call,
  response: HttpClientResponse.HttpClientResponse
) => Effect.Effect<A, Errors.HttpError, R>

const PHASE_IDLE = 0
const PHASE_CONNECT = 1
const PHASE_RESPONSE = 2
const PHASE_BODY = 3
const PHASE_DONE = 4

const DISCARD_LIMIT = 64 * 1024
const PREVIEW_LIMIT = 1024

/** One request, across its attempts. @internal */
export class Call implements Timed {
  heapIndex = -1
  dueAt = Infinity
  phase = PHASE_IDLE
  phaseAt = 0
  lastActivity = 0
  attempts = 0
  bytes = 0
  sent = false
  /** The response (execute mode) outlives the request effect: keep the timers. */
  keepAlive = false
  deadlineFired = false
  handle: AttemptHandle | undefined = undefined
  scheduleState: unknown = undefined
  history: Array<Errors.AttemptRecord> | undefined = undefined
  visited: Array<string> | undefined = undefined
  span: Tracer.Span | undefined = undefined
  lastError: string | undefined = undefined
  readonly startedAt: number
  readonly deadlineAt: number
  private info: Errors.RequestInfo | undefined = undefined

  constructor(
    readonly cfg: Compiled,
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly url: URL
  ) {
    this.startedAt = cfg.clock.unsafeCurrentTimeMillis()
    this.deadlineAt = this.startedAt + cfg.deadlineMs
  }

  now(): number {
    return this.cfg.clock.unsafeCurrentTimeMillis()
  }

  get requestInfo(): Errors.RequestInfo {
    return this.info ??= { method: this.request.method, url: redactUrl(this.url) }
  }

  get signal(): AbortSignal {
    return this.handle!.signal
  }

  // --- timers -------------------------------------------------------------

  private phaseDue(): number {
    switch (this.phase) {
      case PHASE_CONNECT:
        return this.phaseAt + this.cfg.connectMs
      case PHASE_RESPONSE:
        return this.phaseAt + this.cfg.responseMs
      case PHASE_BODY:
        return this.lastActivity + this.cfg.bodyIdleMs
      default:
        return Infinity
    }
  }

  private enter(phase: number, now: number): void {
    this.phase = phase
    this.phaseAt = now
    this.lastActivity = now
    const due = this.phaseDue()
    this.cfg.scheduler.schedule(this, due < this.deadlineAt ? due : this.deadlineAt)
  }

  onDue(now: number): number {
    if (now >= this.deadlineAt) {
      this.deadlineFired = true
      this.abort("DeadlineExceeded")
      return Infinity
    }
    const due = this.phaseDue()
    if (now >= due) {
      const tag = this.phase === PHASE_CONNECT
        ? "ConnectTimeout"
        : this.phase === PHASE_RESPONSE
        ? "ResponseTimeout"
        : "BodyTimeout"
      this.phase = PHASE_IDLE
      this.abort(tag)
      return this.keepAlive ? Infinity : this.deadlineAt
    }
    return due < this.deadlineAt ? due : this.deadlineAt
  }

  abort(tag: string): void {
    this.handle?.abort(tag)
  }

  // --- attempts -----------------------------------------------------------

  beginAttempt(): void {
    this.attempts++
    this.sent = false
    this.bytes = 0
    this.handle = new AttemptHandle(this, this.attempts)
    this.enter(this.cfg.transport.tracksConnect ? PHASE_CONNECT : PHASE_RESPONSE, this.now())
  }

  /** The transport reported the connection of attempt `n`. */
  connected(n: number): void {
    if (this.attempts !== n) return
    this.sent = true
    if (this.phase === PHASE_CONNECT) this.enter(PHASE_RESPONSE, this.now())
  }

  /** A new hop (redirect) inside the same attempt. */
  beginHop(): void {
    this.sent = false
    this.bytes = 0
    this.enter(this.cfg.transport.tracksConnect ? PHASE_CONNECT : PHASE_RESPONSE, this.now())
  }

  enterBody(): void {
    this.sent = true
    this.enter(PHASE_BODY, this.now())
  }

  /** A chunk of body arrived. */
  activity(size: number): void {
    this.bytes += size
    this.lastActivity = this.cfg.clock.unsafeCurrentTimeMillis()
  }

  /** The request is over: leave the scheduler. */
  done(): void {
    this.phase = PHASE_DONE
    this.keepAlive = false
    this.cfg.scheduler.cancel(this)
  }

  /**
   * The attempt's error (stackless: see `withoutStack`; `finalize` gives the
   * final one its stack). `redirectedTo`: the hop's url after a redirect.
   */
  failure(cause: unknown, redirectedTo?: URL): Errors.HttpError {
    return withoutStack(() => this.classify(cause, redirectedTo))
  }

  private classify(cause: unknown, redirectedTo: URL | undefined): Errors.HttpError {
    const tag = this.handle?.reasonTag
    if (
      tag === "ConnectTimeout" || tag === "ResponseTimeout" || tag === "BodyTimeout" || tag === "DeadlineExceeded"
    ) return this.timeoutError(tag, cause)
    return Classify.classify(cause, {
      method: this.request.method,
      url: this.url,
      phase: this.phase === PHASE_CONNECT ? "connect" : this.phase === PHASE_BODY ? "body" : "response",
      requestSent: this.cfg.transport.tracksConnect ? this.sent : undefined,
      proxy: this.cfg.proxyFor?.(this.url),
      connectTimeoutMs: this.cfg.connectMs,
      responseTimeoutMs: this.cfg.responseMs,
      bodyIdleTimeoutMs: this.cfg.bodyIdleMs,
      maxBodySize: this.cfg.maxBodySize,
      redirectedTo
    })
  }

  timeoutError(tag: string, cause: unknown): Errors.HttpError {
    const common = { request: this.requestInfo, attempts: this.attempts, history: [], cause }
    switch (tag) {
      case "ConnectTimeout":
        return new Errors.ConnectTimeout({ ...common, timeoutMs: this.cfg.connectMs }, true)
      case "ResponseTimeout":
        return new Errors.ResponseTimeout({ ...common, timeoutMs: this.cfg.responseMs }, true)
      case "BodyTimeout":
        return new Errors.BodyTimeout({ ...common, timeoutMs: this.cfg.bodyIdleMs, bytesReceived: this.bytes }, true)
      default:
        return this.deadlineError(cause)
    }
  }

  deadlineError(cause: unknown): Errors.DeadlineExceeded {
    return new Errors.DeadlineExceeded({
      request: this.requestInfo,
      attempts: this.attempts,
      history: [],
      cause,
      deadlineMs: this.cfg.deadlineMs,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError })
    }, true)
  }

  record(error: Errors.HttpError, delayMs: number, now: number): void {
    const entry: Errors.AttemptRecord = error._tag === "StatusError"
      ? { attempt: this.attempts, tag: error._tag, status: error.status, delayMs, elapsedMs: now - this.startedAt }
      : { attempt: this.attempts, tag: error._tag, delayMs, elapsedMs: now - this.startedAt }
    ;(this.history ??= []).push(entry)
    this.lastError = error._tag
  }

  /** The final error: the same failure, with the attempt count and history. */
  finalize(error: Errors.HttpError): Errors.HttpError {
    const Ctor = error.constructor as new(props: object, disableValidation: boolean) => Errors.HttpError
    // `cause` is not an own enumerable property of Effect's errors: carry it over by name
    const cause = error.cause
    return new Ctor({
      ...error,
      ...(cause === undefined ? {} : { cause }),
      attempts: this.attempts,
      history: this.history ?? []
    }, true)
  }
}

/**
 * What the transport sees of one attempt. The `AbortController` is created
 * only when someone asks for `signal` (creating one costs about a microsecond
 * and an EventTarget); transports that take `onAbort` never pay for it.
 *
 * @internal
 */
export class AttemptHandle implements Attempt {
  /** Why the attempt was aborted; the `AttemptAborted` itself is built only when someone will see it. */
  reasonTag: string | undefined = undefined
  private abortError: AttemptAborted | undefined = undefined
  private controller: AbortController | undefined = undefined
  private listener: ((reason: Error) => void) | undefined = undefined

  constructor(readonly call: Call, readonly n: number) {}

  get connectTimeoutMs(): number {
    return this.call.cfg.connectMs
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.reasonTag !== undefined) this.controller.abort(this.reason)
    }
    return this.controller.signal
  }

  get aborted(): boolean {
    return this.reasonTag !== undefined
  }

  /** The abort reason the transport sees, built on first use. */
  get reason(): AttemptAborted | undefined {
    if (this.reasonTag === undefined) return undefined
    return this.abortError ??= abortReason(this.reasonTag)
  }

  // arrow fields: transports may pass them around detached from the attempt
  readonly connected = (): void => this.call.connected(this.n)

  readonly onAbort = (listener: (reason: Error) => void): void => {
    const reason = this.reason
    if (reason !== undefined) listener(reason)
    else this.listener = listener
  }

  abort(tag: string): void {
    if (this.reasonTag !== undefined) return
    this.reasonTag = tag
    const listener = this.listener
    this.listener = undefined
    // no listener and no signal handed out: nobody to tell, nothing to build
    if (listener !== undefined) listener(this.reason!)
    this.controller?.abort(this.reason)
  }
}

// --- the request ------------------------------------------------------------

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const BAD_VALUE = /[\r\n\0]/

const checkHeaders = (headers: Readonly<Record<string, string>>): string | undefined => {
  for (const name in headers) {
    if (!TOKEN.test(name)) return `header name "${name.replace(/[\r\n]/g, "\\n").slice(0, 40)}" is not a valid token`
    const value = headers[name]
    if (typeof value === "string" && BAD_VALUE.test(value)) {
      return `the value of header "${name}" contains CR, LF or NUL (header injection)`
    }
  }
  return undefined
}

const makeUrl = (
  cfg: Compiled,
  request: HttpClientRequest.HttpClientRequest
): { readonly url: URL; readonly crossOrigin: boolean } | { readonly reason: string; readonly hint: string } => {
  const resolved = resolveUrl(request.url, cfg.urls)
  if (resolved._tag === "Rejected") return resolved
  const url = resolved.url
  const params = request.urlParams
  for (let i = 0; i < params.length; i++) {
    const [key, value] = params[i]!
    if (value !== undefined) url.searchParams.append(key, value)
  }
  if (request.hash._tag === "Some") url.hash = request.hash.value
  return resolved
}

const decodeComponent = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * User info in the url (`https://user:password@host/`) becomes a Basic
 * `Authorization` header (UTF-8, RFC 7617), unless the request has one, and
 * leaves the url (which `url` is updated to), as curl and browsers do:
 * transports would otherwise drop it silently (undici sends origin and path)
 * or refuse it (fetch). Like any `Authorization`, it is not sent on to
 * another origin by a redirect.
 */
const withUrlCredentials = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): HttpClientRequest.HttpClientRequest => {
  const credentials = `${decodeComponent(url.username)}:${decodeComponent(url.password)}`
  url.username = ""
  url.password = ""
  let binary = ""
  for (const byte of new TextEncoder().encode(credentials)) binary += String.fromCharCode(byte)
  const headers = request.headers["authorization"] === undefined
    ? { ...request.headers, authorization: `Basic ${btoa(binary)}` }
    : request.headers
  return HttpClientRequest.make(request.method)(url, { headers, body: request.body })
}

const noHistory: ReadonlyArray<Errors.AttemptRecord> = []

/** `request` (sent to `url`) without the headers named in `names` (lower case). */
const withoutHeaders = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  names: ReadonlySet<string>
): HttpClientRequest.HttpClientRequest =>
  Object.keys(request.headers).some((name) => names.has(name))
    ? HttpClientRequest.make(request.method)(url, {
      headers: Headers.remove(request.headers, [...names]),
      body: request.body
    })
    : request

/**
 * Runs one request through deadline, retries, redirects and timeouts;
 * `onResponse` turns the final response into the result inside the attempt.
 *
 * @internal
 */
export const run = <A, R>(
  cfg: Compiled,
  request: HttpClientRequest.HttpClientRequest,
  onResponse: OnResponse<A, R>
): Effect.Effect<A, Errors.HttpError, R> =>
  Effect.suspend(() => {
    const resolved = makeUrl(cfg, request)
    if (!("url" in resolved)) {
      return Effect.fail(
        new Errors.InvalidUrl({
          request: { method: request.method, url: redactUrl(request.url) },
          attempts: 0,
          history: noHistory,
          reason: resolved.reason,
          hint: resolved.hint
        }, true)
      )
    }
    const url = resolved.url
    const refused = literalRefusal(cfg.allowAddress, url)
    if (refused !== undefined) {
      return Effect.fail(
        new Errors.InvalidUrl({
          request: { method: request.method, url: redactUrl(url) },
          attempts: 0,
          history: noHistory,
          reason: refused,
          hint: "The client's `allowAddress` refuses that address; nothing was sent."
        }, true)
      )
    }
    // credentials set on the client go to its base origin only
    const sent = resolved.crossOrigin ? withoutHeaders(request, url, cfg.redirects.sensitiveHeaders) : request
    const problem = checkHeaders(sent.headers)
    if (problem !== undefined) {
      return Effect.fail(
        new Errors.InvalidRequest({
          request: { method: sent.method, url: redactUrl(url) },
          attempts: 0,
          history: noHistory,
          reason: problem
        }, true)
      )
    }
    const call = new Call(
      cfg,
      url.username === "" && url.password === "" ? sent : withUrlCredentials(sent, url),
      url
    )
    cfg.retry.budget.request()
    if (cfg.metrics) Metrics.requests.unsafeUpdate(1, [])
    const effect = Effect.onExit(loop(call, onResponse), (exit) => finish(call, exit))
    return cfg.spans ? traced(call, effect) : effect
  })

/**
 * A raw body (a Node `Readable`, say) belongs to the call: a call that
 * failed or was interrupted will not send it again, and a stream that was
 * never read would keep its file descriptor or upstream open. Retries
 * before that reuse the same object, so the transport cannot destroy it.
 */
const releaseRawBody = (body: HttpClientRequest.HttpClientRequest["body"]): void => {
  if (body._tag !== "Raw") return
  const raw = body.body as { readonly destroyed?: unknown; readonly destroy?: unknown } | null
  if (raw !== null && typeof raw === "object" && typeof raw.destroy === "function" && raw.destroyed === false) {
    ;(raw.destroy as () => void).call(raw)
  }
}

const finish = (call: Call, exit: Exit.Exit<unknown, Errors.HttpError>): Effect.Effect<void> => {
  const cfg = call.cfg
  if (Exit.isFailure(exit)) {
    call.done()
    releaseRawBody(call.request.body)
    if (Cause.isInterruptedOnly(exit.cause)) {
      call.abort("Interrupted")
    } else if (cfg.metrics) {
      const failure = Cause.failureOption(exit.cause)
      if (failure._tag === "Some") Metrics.errors.unsafeUpdate(1, [MetricLabel.make("error", failure.value._tag)])
    }
  } else if (!call.keepAlive) {
    call.done()
  }
  if (cfg.metrics) Metrics.latency.unsafeUpdate(call.now() - call.startedAt, [])
  if (call.span !== undefined) call.span.attribute("steadfast.attempts", call.attempts)
  return Effect.void
}

const traced = <A, R>(call: Call, effect: Effect.Effect<A, Errors.HttpError, R>) =>
  Effect.withFiberRuntime<A, Errors.HttpError, R>((fiber) => {
    if (!fiber.getFiberRef(FiberRef.currentTracerEnabled)) return effect
    const url = call.url
    return Effect.useSpan(`http.client ${call.request.method}`, {
      kind: "client",
      captureStackTrace: false,
      attributes: {
        "http.request.method": call.request.method,
        "url.full": redactUrl(url),
        "server.address": url.hostname,
        "server.port": url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port)
      }
    }, (span) => {
      call.span = span
      return Effect.withParentSpan(effect, span)
    })
  })

const loop = <A, R>(call: Call, onResponse: OnResponse<A, R>): Effect.Effect<A, Errors.HttpError, R> =>
  Effect.catchAll(attempt(call, onResponse), (error) => afterFailure(call, error, onResponse))

const attempt = <A, R>(call: Call, onResponse: OnResponse<A, R>): Effect.Effect<A, Errors.HttpError, R> =>
  Effect.suspend(() => {
    if (call.deadlineFired) return Effect.fail(call.deadlineError(undefined))
    const limiter = call.cfg.rateLimit
    if (limiter === undefined) return send(call, onResponse)
    // the per-attempt gates, in DESIGN.md's order; today only the rate limit
    return Effect.zipRight(
      Effect.mapError(
        limiter.acquire(call.request.method, call.url, call.deadlineAt),
        (refusal) => rateLimited(call, refusal)
      ),
      Effect.suspend(() => send(call, onResponse))
    )
  })

const send = <A, R>(call: Call, onResponse: OnResponse<A, R>): Effect.Effect<A, Errors.HttpError, R> => {
  call.beginAttempt()
  return hop(call, call.request, call.url, 0, onResponse)
}

const rateLimited = (call: Call, refusal: RateLimit.Refusal): Errors.RateLimited =>
  withoutStack(() =>
    new Errors.RateLimited({
      request: call.requestInfo,
      attempts: call.attempts,
      history: noHistory,
      // keys are origins by default; a custom key that looks like a url with credentials or a query is cleaned
      key: /[@?#]/.test(refusal.key) ? redactUrl(refusal.key) : refusal.key,
      waitMs: refusal.waitMs,
      reason: refusal.reason
    }, true)
  )

const hop = <A, R>(
  call: Call,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  followed: number,
  onResponse: OnResponse<A, R>
): Effect.Effect<A, Errors.HttpError, R> =>
  Effect.matchEffect(call.cfg.transport.send(request, url, call.handle!), {
    onFailure: (cause) => Effect.fail(call.failure(cause, followed > 0 ? url : undefined)),
    onSuccess: (response) => {
      // the rate limiter learns from every response, redirects and failures included
      call.cfg.rateLimit?.observe(request.method, url, response.status, response.headers, call.now())
      return onHeaders(call, request, url, response, followed, onResponse)
    }
  })

const onHeaders = <A, R>(
  call: Call,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  response: HttpClientResponse.HttpClientResponse,
  followed: number,
  onResponse: OnResponse<A, R>
): Effect.Effect<A, Errors.HttpError, R> => {
  call.enterBody()
  const cfg = call.cfg
  const status = response.status
  if (call.span !== undefined) call.span.attribute("http.response.status_code", status)
  if (cfg.redirects.follow && Redirects.isRedirect(status)) {
    const visited = call.visited ??= []
    visited.push(`${request.method} ${url.href}`)
    const decision = Redirects.decide(
      cfg.redirects,
      request,
      url,
      status,
      response.headers["location"],
      visited,
      followed
    )
    const refused = decision._tag === "Follow" ? literalRefusal(cfg.allowAddress, decision.url) : undefined
    if (refused !== undefined && decision._tag === "Follow") {
      return Effect.zipRight(
        discard(call, response),
        Effect.fail(
          new Errors.RedirectBlocked({
            request: call.requestInfo,
            attempts: call.attempts,
            history: noHistory,
            location: redactUrl(decision.url),
            reason: "address",
            detail: refused
          }, true)
        )
      )
    }
    switch (decision._tag) {
      case "Follow":
        return Effect.zipRight(
          discard(call, response),
          Effect.suspend(() => {
            call.beginHop()
            return hop(call, decision.request, decision.url, followed + 1, onResponse)
          })
        )
      case "Blocked":
        return Effect.zipRight(
          discard(call, response),
          Effect.fail(
            new Errors.RedirectBlocked({
              request: call.requestInfo,
              attempts: call.attempts,
              history: noHistory,
              location: redactUrl(decision.location),
              reason: decision.reason
            }, true)
          )
        )
      case "TooMany":
        return Effect.zipRight(
          discard(call, response),
          Effect.fail(
            new Errors.TooManyRedirects({
              request: call.requestInfo,
              attempts: call.attempts,
              history: noHistory,
              max: cfg.redirects.max,
              chain: [
                ...visited.map((v) => redactUrl(v.slice(v.indexOf(" ") + 1))),
                redactUrl(
                  new URL(response.headers["location"] ?? "", url).href
                )
              ],
              loop: decision.loop
            }, true)
          )
        )
      case "Return":
        break
    }
  }
  if (cfg.isFailure(status)) {
    return Effect.flatMap(
      readLimited(call, response, DISCARD_LIMIT),
      (preview) => Effect.fail(statusError(call, response, preview))
    )
  }
  return onResponse(call, response)
}

const TEXTUAL = /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|problem\+json|x-www-form-urlencoded))/i

const decoder = new TextDecoder()

const statusError = (
  call: Call,
  response: HttpClientResponse.HttpClientResponse,
  preview: Uint8Array | undefined
): Errors.StatusError =>
  withoutStack(() => {
    const headers = response.headers
    const retryAfterMs = RetryAfter.parse(headers["retry-after"], call.now())
    const type = headers["content-type"] ?? ""
    const body = preview !== undefined && preview.length > 0 && TEXTUAL.test(type)
      ? decoder.decode(preview.subarray(0, PREVIEW_LIMIT))
      : undefined
    return new Errors.StatusError({
      request: call.requestInfo,
      attempts: call.attempts,
      history: noHistory,
      status: response.status,
      headers: redactHeaders(headers, call.cfg.redirects.sensitiveHeaders),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(body === undefined ? {} : { body })
    }, true)
  })

/** Reads and drops up to 64 KiB so the connection can be reused; errors are ignored. */
const discard = (call: Call, response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.ignore(readLimited(call, response, DISCARD_LIMIT))

/** Reads at most `limit` bytes (the rest is dropped), or `undefined` on failure. */
const readLimited = (
  call: Call,
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<Uint8Array | undefined> => {
  const chunks: Array<Uint8Array> = []
  let size = 0
  let kept = 0
  return Effect.match(
    bodyReaderOf(response, call.handle!)[BodyReaderTypeId]((chunk) => {
      call.activity(chunk.length)
      if (kept < PREVIEW_LIMIT) {
        chunks.push(chunk)
        kept += chunk.length
      }
      size += chunk.length
      return size < limit
    }),
    { onFailure: () => undefined, onSuccess: () => concat(chunks, kept) }
  )
}

/**
 * Reads the whole body under the body idle timeout and the size limit.
 *
 * @internal
 */
export const readBody = (
  call: Call,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Uint8Array, Errors.HttpError> => {
  const limit = call.cfg.maxBodySize
  // HEAD, 204 and 304 have no body whatever content-length says (RFC 9110 §8.6)
  const declared = call.request.method === "HEAD" || response.status === 204 || response.status === 304
    ? undefined
    : response.headers["content-length"]
  if (declared !== undefined && Number(declared) > limit) {
    call.abort("BodyTooLarge")
    return Effect.fail(tooLarge(call))
  }
  const chunks: Array<Uint8Array> = []
  let size = 0
  let over = false
  return Effect.matchEffect(
    bodyReaderOf(response, call.handle!)[BodyReaderTypeId]((chunk) => {
      call.activity(chunk.length)
      size += chunk.length
      if (size > limit) {
        over = true
        return false
      }
      chunks.push(chunk)
      return true
    }),
    {
      onFailure: (cause) => Effect.fail(call.failure(cause)),
      onSuccess: () => over ? Effect.fail(tooLarge(call)) : Effect.succeed(concat(chunks, size))
    }
  )
}

/** @internal */
export const tooLarge = (call: Call): Errors.BodyTooLarge =>
  new Errors.BodyTooLarge({
    request: call.requestInfo,
    attempts: call.attempts,
    history: noHistory,
    limit: call.cfg.maxBodySize
  }, true)

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

// --- after a failed attempt ---------------------------------------------------

const afterFailure = <A, R>(
  call: Call,
  error: Errors.HttpError,
  onResponse: OnResponse<A, R>
): Effect.Effect<A, Errors.HttpError, R> => {
  const cfg = call.cfg
  const now = call.now()
  if (error._tag === "RateLimited" && !Retry.isRetryable(cfg.retry, error, call.request.method, call.request.headers)) {
    // no attempt was made: nothing to abort or to add to the history
    return Effect.fail(call.finalize(error))
  }
  call.abort("Interrupted")
  call.phase = PHASE_IDLE
  call.keepAlive = false
  if (call.deadlineFired || error._tag === "DeadlineExceeded") {
    const deadline = error._tag === "DeadlineExceeded" ? error : call.deadlineError(error)
    call.record(deadline, 0, now)
    return Effect.fail(call.finalize(deadline))
  }
  const policy = cfg.retry
  const request = call.request
  if (
    !Retry.isRetryable(policy, error, request.method, request.headers) ||
    (!Redirects.isReplayable(request.body) && Errors.mayHaveReachedServer(error))
  ) {
    return giveUp(call, error, now)
  }
  const state = call.attempts === 1 ? policy.schedule.initial : call.scheduleState
  return Effect.flatMap(policy.schedule.step(now, error, state), ([next, , decision]) => {
    call.scheduleState = next
    if (ScheduleDecision.isDone(decision)) return giveUp(call, error, now)
    let delay = Math.max(0, ScheduleIntervals.start(decision.intervals) - now)
    if (
      error._tag === "StatusError" && error.retryAfterMs !== undefined && policy.retryAfterStatuses.has(error.status)
    ) {
      if (error.retryAfterMs > cfg.retryAfterMaxMs) return giveUp(call, error, now)
      if (error.retryAfterMs > delay) delay = error.retryAfterMs
      if (now + delay >= call.deadlineAt) return giveUp(call, error, now)
    } else if (now + delay >= call.deadlineAt) {
      call.record(error, 0, now)
      return Effect.fail(call.finalize(call.deadlineError(error)))
    }
    if (now + delay - call.startedAt > cfg.maxElapsedMs) return giveUp(call, error, now)
    if (!policy.budget.withdraw()) return giveUp(call, error, now)
    call.record(error, delay, now)
    if (cfg.metrics) Metrics.retries.unsafeUpdate(1, [MetricLabel.make("error", error._tag)])
    if (call.span !== undefined) {
      call.span.event("steadfast.retry", cfg.clock.unsafeCurrentTimeNanos(), {
        "steadfast.attempt": call.attempts,
        "steadfast.error": error._tag,
        "steadfast.delay_ms": delay
      })
    }
    return Effect.zipRight(
      Effect.zipRight(
        Effect.annotateLogs(
          Effect.logInfo(
            `${call.requestInfo.method} ${call.requestInfo.url}: attempt ${call.attempts} failed with ${error._tag}` +
              `${error._tag === "StatusError" ? ` ${error.status}` : ""}; retrying in ${
                Duration.format(Duration.millis(delay))
              }`
          ),
          { "steadfast.attempt": call.attempts, "steadfast.error": error._tag, "steadfast.delay_ms": delay }
        ),
        cfg.clock.sleep(Duration.millis(delay))
      ),
      loop(call, onResponse)
    )
  })
}

const giveUp = (call: Call, error: Errors.HttpError, now: number): Effect.Effect<never, Errors.HttpError> => {
  call.record(error, 0, now)
  if (call.span !== undefined) {
    call.span.event("steadfast.attempt_failed", call.cfg.clock.unsafeCurrentTimeNanos(), {
      "steadfast.attempt": call.attempts,
      "steadfast.error": error._tag
    })
  }
  return Effect.fail(call.finalize(error))
}
