/**
 * What every client derived from one layer shares (the transport, the
 * deadline scheduler, the rate limiter, the budget), and how a client is
 * made over it: its settings compiled once, its body readers.
 *
 * @internal
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import { HttpClient } from "#line/http"
import type { HttpClientRequest, HttpClientResponse } from "#line/http"
import * as LogLevel from "#line/LogLevel"
import * as ParseResult from "#line/ParseResult"
import * as Schema from "#line/Schema"
import type * as Classify from "../Classify.js"
import type { Settings } from "../client/options.js"
import { type ResilientClient, TypeId } from "../client/service.js"
import * as Errors from "../Errors.js"
import * as Policy from "../Policy.js"
import * as RateLimit from "../RateLimit.js"
import * as Retry from "../Retry.js"
import * as Transport from "../Transport.js"
import type { AttemptState } from "./attempt.js"
import { readBody, readBodyThen } from "./body.js"
import { run as runRequest } from "./call.js"
import * as credentials from "./credentials.js"
import type { LabelSets } from "./labelSets.js"
import { mapThen } from "./mapRequest.js"
import { type Compiled, decidePolicy, rateLimitGate } from "./policy.js"
import { ResilientResponse } from "./response.js"
import { DeadlineScheduler } from "./scheduler.js"
import { rules as urlRules } from "./url.js"

export interface Engine {
  readonly transport: Transport.Transport
  readonly scheduler: DeadlineScheduler
  readonly proxyFor: ((url: URL) => Classify.Context["proxy"]) | undefined
  readonly warnedProxies: Set<string>
  readonly rateLimit: RateLimit.Limiter | undefined
  readonly durationLabels: LabelSets
  /** The client's retry budget (a shared one from the context, or its own), for policies that name none. */
  readonly budget: Retry.Budget
}

export const compile = (engine: Engine, s: Settings): Compiled => ({
  transport: engine.transport,
  scheduler: engine.scheduler,
  clock: engine.scheduler.clock,
  retry: s.retry,
  budget: s.retry.budget ?? engine.budget,
  decide: decidePolicy(s.retry, Duration.toMillis(s.retry.retryAfterMax), Duration.toMillis(s.retry.maxElapsed)),
  redirects: s.redirects,
  poolMs: Duration.toMillis(s.timeouts.pool),
  connectMs: Duration.toMillis(s.timeouts.connect),
  responseMs: Duration.toMillis(s.timeouts.response),
  bodyIdleMs: Duration.toMillis(s.timeouts.bodyIdle),
  deadlineMs: Duration.toMillis(s.timeouts.deadline),
  maxBodySize: s.maxBodySize,
  isFailure: s.isFailure,
  baseUrl: s.baseUrl,
  urls: urlRules(s.baseUrl, s),
  allowAddress: s.allowAddress,
  spans: s.spans,
  metrics: s.metrics,
  decompress: s.decompress,
  propagation: s.propagation,
  durationLabels: engine.durationLabels,
  retryLogLevel: LogLevel.fromLiteral(s.retryLogLevel),
  proxyFor: engine.proxyFor,
  // the per-attempt policies, in DESIGN.md's order: the rate limit, then the client's policies
  gates: [
    ...(engine.rateLimit === undefined ? [] : [rateLimitGate(engine.rateLimit)]),
    ...Policy.gates(s.policies)
  ],
  hedge: Policy.hedger(s.policies),
  beforeAttempt: s.hooks?.beforeAttempt,
  afterAttempt: s.hooks?.afterAttempt,
  warnedProxies: engine.warnedProxies,
  credentials: credentials.compile(
    s.headers,
    s.auth,
    s.credentialOrigins === "any"
      ? "any"
      : new Set([...(s.baseUrl === undefined ? [] : [s.baseUrl.origin]), ...s.credentialOrigins])
  )
})

const decoder = new TextDecoder()

const decodeError = (attempt: AttemptState, status: number, reason: string, cause: unknown) =>
  new Errors.DecodeError({
    request: attempt.call.requestInfo,
    attempts: attempt.call.attempts,
    history: [],
    status,
    reason,
    cause
  }, true)

const readText = (call: AttemptState, response: HttpClientResponse.HttpClientResponse) =>
  readBodyThen(call, response, textOf)

const textOf = (_: AttemptState, __: HttpClientResponse.HttpClientResponse, bytes: Uint8Array) =>
  Effect.succeed(decoder.decode(bytes))

/** The body as JSON, parsed in the step that ends the read. */
const readJson = (call: AttemptState, response: HttpClientResponse.HttpClientResponse) =>
  readBodyThen(call, response, jsonOf)

const jsonOf = (call: AttemptState, response: HttpClientResponse.HttpClientResponse, bytes: Uint8Array) => {
  const text = decoder.decode(bytes)
  try {
    return Effect.succeed(JSON.parse(text) as unknown)
  } catch (cause) {
    return Effect.fail(
      decodeError(
        call,
        response.status,
        text === "" ? "the body is empty, JSON expected" : "the body is not valid JSON",
        cause
      )
    )
  }
}

export const makeClient = (engine: Engine, s: Settings): ResilientClient => {
  const cfg = compile(engine, s)
  const map = s.mapRequest
  const run: typeof runRequest = map === undefined
    ? runRequest
    : (cfg, request, onResponse) => mapThen(map, request, (mapped) => runRequest(cfg, mapped, onResponse))
  const base = HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest, never, never>) =>
      Effect.flatMap(
        effect,
        (request) => run(cfg, request, (call, response) => Effect.succeed(new ResilientResponse(call, response)))
      ),
    Effect.succeed
  ) as HttpClient.HttpClient.With<Errors.HttpError>
  const client = Object.create(base) as {
    -readonly [K in keyof ResilientClient]: ResilientClient[K]
  }
  client[TypeId] = TypeId
  client.settings = s
  client.bytes = (request) => run(cfg, request, readBody)
  client.text = (request) => run(cfg, request, readText)
  client.json = (<A, I, R>(request: HttpClientRequest.HttpClientRequest, schema?: Schema.Schema<A, I, R>) => {
    if (schema === undefined) return run(cfg, request, readJson)
    const decode = Schema.decodeUnknown(schema)
    return run(
      cfg,
      request,
      (call, response) =>
        Effect.flatMap(readJson(call, response), (value) =>
          Effect.mapError(decode(value), (error) =>
            decodeError(
              call,
              response.status,
              `it does not match the schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
              error
            )))
    )
  }) as ResilientClient["json"]
  ;(client as unknown as { [EngineKey]: Engine })[EngineKey] = engine
  return client as ResilientClient
}

export const EngineKey = Symbol.for("@steadfast/core/Client/engine")
