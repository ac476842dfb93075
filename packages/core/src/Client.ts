/**
 * The resilient client.
 *
 * A `Client` wraps any `@effect/platform` `HttpClient` (the transport) with a
 * deadline, retries, redirects and timeouts, and reports every failure as a
 * tagged {@link Errors.HttpError}. It is itself an `HttpClient.With<HttpError>`,
 * so platform combinators work on it, and it adds body helpers (`json`,
 * `text`, `bytes`) that read and decode the body inside the retried unit.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect, Schema } from "effect"
 * import { Client } from "@steadfast/core"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* Client.Client
 *   return yield* client.json(HttpClientRequest.get("https://api.example.com/users/1"), User)
 * })
 * // provide Client.layer() and a transport (e.g. @steadfast/node's layer)
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import type * as MetricLabel from "effect/MetricLabel"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Auth from "./Auth.js"
import * as Budget from "./Budget.js"
import type * as Classify from "./Classify.js"
import * as ConfigKeys from "./ConfigKeys.js"
import * as Errors from "./Errors.js"
import type * as Hooks from "./Hooks.js"
import type { AttemptState } from "./internal/attempt.js"
import { readBody, readBodyThen } from "./internal/body.js"
import { run as runRequest } from "./internal/call.js"
import * as credentials from "./internal/credentials.js"
import { andThen, type Mapper, mapThen } from "./internal/mapRequest.js"
import { historyRef } from "./internal/observe.js"
import { check as checkOptions } from "./internal/options.js"
import { type Compiled, decidePolicy, rateLimitGate } from "./internal/policy.js"
import { redactUrl } from "./internal/redact.js"
import { ResilientResponse } from "./internal/response.js"
import { DeadlineScheduler } from "./internal/scheduler.js"
import { rules as urlRules } from "./internal/url.js"
import * as Policy from "./Policy.js"
import * as Propagation from "./Propagation.js"
import * as RateLimit from "./RateLimit.js"
import * as Redirects from "./Redirects.js"
import * as Retry from "./Retry.js"
import * as Timeouts from "./Timeouts.js"
import * as Transport from "./Transport.js"

/**
 * Options of a client. Every field documents its default.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The retry policy, or options for `Retry.policy`. @default Retry.defaults */
  readonly retry?: Retry.Policy | Retry.Options | undefined
  /** Time limits; missing ones keep their defaults. @default Timeouts.defaults */
  readonly timeouts?: Timeouts.Input | undefined
  /** The redirect policy, or options for `Redirects.make`. @default Redirects.defaults */
  readonly redirects?: Redirects.Policy | Redirects.Input | undefined
  /** The largest body the helpers (and `execute`'s body) read, in bytes. @default 10 MiB */
  readonly maxBodySize?: number | undefined
  /** Which statuses are failures (`StatusError`). @default status >= 400 */
  readonly isFailure?: ((status: number) => boolean) | undefined
  /**
   * The base of request urls. A path (`users/1`, `/users/1`) is joined under
   * its path (`https://api.test/v1` + `/users` = `https://api.test/v1/users`),
   * and the client is pinned to it: an absolute url to another origin, or a
   * path that climbs above the base path (`../`, `%2e%2e/`), fails with
   * `InvalidUrl` before anything is sent. @default none
   */
  readonly baseUrl?: string | URL | undefined
  /**
   * With a `baseUrl`: absolute urls are sent as they are, to any origin (as
   * axios's option of that name). The headers the redirect policy treats as
   * sensitive (`Authorization`, `Cookie`, `Proxy-Authorization`, your
   * `redirects.sensitiveHeaders`) are still sent to the base origin only.
   * @default false
   */
  readonly allowAbsoluteUrls?: boolean | undefined
  /** With a `baseUrl`: paths may climb above the base path (`../`). @default false */
  readonly allowOutsideBasePath?: boolean | undefined
  /**
   * The SSRF guard, for clients that fetch urls given by others: a rule over
   * the address a request connects to (`Address.publicOnly` refuses every
   * private, loopback, link-local… address). Hosts written as IP addresses
   * are checked here, for the request and every redirect, on every
   * transport; names are checked after DNS resolution, at connect time, by
   * transports that resolve them (the node layer's pool does, so DNS
   * rebinding cannot get round it). A refused request is `InvalidUrl`, a
   * refused redirect `RedirectBlocked` (reason `"address"`); nothing is sent.
   * @default none (every address)
   */
  readonly allowAddress?: ((address: string) => boolean) | undefined
  /** A span per request (when the tracer is enabled), an event per retry. @default true */
  readonly spans?: boolean | undefined
  /** Record the `Metrics`. @default true */
  readonly metrics?: boolean | undefined
  /**
   * Headers sent with every request (`accept`, `user-agent`…); a request's
   * own header of the same name wins. A header that holds a secret — a
   * sensitive name (`x-api-key`, `cookie`, any name with `token`, `secret`,
   * `password`, `signature`, `api-key`; or one in `redirects.sensitiveHeaders`)
   * or a `Redacted` value — is a credential, sent like `auth`. With
   * `withOptions`, these are added to the client's headers.
   * @default none
   */
  readonly headers?: Readonly<Record<string, Auth.Secret>> | undefined
  /**
   * Credentials for every request to the credential origins (see `Auth`:
   * `Auth.bearer(token)`, `Auth.bearer(tokenEffect)`, `Auth.basic(user, password)`);
   * a request with its own `Authorization` keeps it. Redacted wherever the
   * request is shown, dropped by a redirect to another origin.
   * @default none
   */
  readonly auth?: Auth.Auth | undefined
  /**
   * Where the client's credentials (`auth`, secret `headers`) are sent: the
   * `baseUrl`'s origin, plus these origins (`"https://uploads.example.com"`),
   * or `"any"` for every origin. Other origins are reached only with
   * `allowAbsoluteUrls`, and get no credentials unless listed here. A client
   * with credentials needs a `baseUrl` or this option.
   * @default the baseUrl's origin only
   */
  readonly credentialOrigins?: ReadonlyArray<string | URL> | "any" | undefined
  /**
   * A function every request goes through first, before url resolution,
   * default headers and credentials (what it sets is the request's own). It
   * may return an Effect: a failure is `InvalidRequest` with the failure as
   * its `cause`. See also {@link mapRequest}, which keeps the existing one.
   * @default none
   */
  readonly mapRequest?:
    | ((
      request: HttpClientRequest.HttpClientRequest
    ) => HttpClientRequest.HttpClientRequest | Effect.Effect<HttpClientRequest.HttpClientRequest, unknown>)
    | undefined
  /**
   * Compressed bodies: the transport asks for them (`Accept-Encoding: gzip,
   * deflate, br`, unless the request sets its own `Accept-Encoding`) and
   * hands over the decoded bytes, without the `Content-Encoding` and
   * `Content-Length` headers, which describe the bytes on the wire. The size
   * limit (`maxBodySize`) counts decoded bytes. `false`: nothing is added to
   * the request and bodies arrive as the server sent them, headers
   * untouched. Per request: `Client.withOptions(client, { decompress: false })`.
   * On the node transport; `fetch` decodes on its own (see docs/compression.md).
   * @default true
   */
  readonly decompress?: boolean | undefined
  /**
   * Trace context headers on every request on the wire (see `Propagation`):
   * `false` sends none, `true` the defaults, or which formats to which
   * origins. Per request: `Client.withOptions(client, { propagation: false })`.
   * @default ["w3c"] to every origin; in a browser, to the page's own origin only
   */
  readonly propagation?: Propagation.Input | boolean | undefined
  /**
   * The log level of the line each retry and each stale-connection re-send
   * writes (annotated with `steadfast.attempt`, `steadfast.error`,
   * `steadfast.delay_ms`, `steadfast.origin`, `steadfast.reason`).
   * @default "Debug"
   */
  readonly retryLogLevel?: LogLevel.Literal | undefined
  /**
   * Resilience policies (`Breaker.make`, …), applied around each attempt in
   * the order `Policy` documents, whatever their order here. @default none
   */
  readonly policies?: ReadonlyArray<Policy.Policy> | undefined
  /** Effects run before each attempt (may change the request) and after each outcome. @default none */
  readonly hooks?: Hooks.Hooks | undefined
}

/**
 * A client's resolved settings.
 *
 * @since 0.1.0
 */
export interface Settings {
  readonly retry: Retry.Policy
  readonly timeouts: Timeouts.Timeouts
  readonly redirects: Redirects.Policy
  readonly maxBodySize: number
  readonly isFailure: (status: number) => boolean
  readonly baseUrl: URL | undefined
  readonly allowAbsoluteUrls: boolean
  readonly allowOutsideBasePath: boolean
  readonly allowAddress: ((address: string) => boolean) | undefined
  readonly spans: boolean
  readonly metrics: boolean
  /** Default headers, names in lower case; secrets as `Redacted`. */
  readonly headers: Readonly<Record<string, Auth.Secret>>
  readonly auth: Auth.Auth | undefined
  /** Where credentials go besides the base url's origin (normalized origins), or `"any"`. */
  readonly credentialOrigins: ReadonlyArray<string> | "any"
  readonly mapRequest: Mapper | undefined
  readonly decompress: boolean
  readonly propagation: Propagation.Policy
  readonly retryLogLevel: LogLevel.Literal
  readonly policies: ReadonlyArray<Policy.Policy>
  readonly hooks: Hooks.Hooks | undefined
}

/**
 * @since 0.1.0
 */
export const TypeId: unique symbol = Symbol.for("@steadfast/core/Client")

/**
 * @since 0.1.0
 */
export type TypeId = typeof TypeId

/**
 * The resilient client: a platform `HttpClient.With<HttpError>` plus body
 * helpers that read inside the retried unit.
 *
 * @since 0.1.0
 */
export interface ResilientClient extends HttpClient.HttpClient.With<Errors.HttpError> {
  readonly [TypeId]: TypeId
  readonly settings: Settings
  /**
   * Sends the request and decodes the JSON body with `schema` (or returns it
   * as `unknown`). A body cut off mid-way is retried like any transient
   * failure; a body that does not decode fails with `DecodeError`.
   */
  readonly json: {
    <A, I, R>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I, R>): Effect.Effect<
      A,
      Errors.HttpError,
      R
    >
    (request: HttpClientRequest.HttpClientRequest): Effect.Effect<unknown, Errors.HttpError>
  }
  /** Sends the request and reads the body as UTF-8 text. */
  readonly text: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<string, Errors.HttpError>
  /** Sends the request and reads the body as bytes. */
  readonly bytes: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<Uint8Array, Errors.HttpError>
}

/**
 * The service tag of the resilient client.
 *
 * @since 0.1.0
 */
export class Client extends Context.Tag("@steadfast/core/Client")<Client, ResilientClient>() {}

const MIB = 1024 * 1024

/**
 * Checks options: the first invalid one as an `InvalidOptions` (naming the
 * option, the value and what is allowed), or `undefined` when all are
 * valid. `Client.layer`, `Client.make` and `settings` run it.
 *
 * @since 0.1.0
 */
export const validate = (options: Options | undefined): Errors.InvalidOptions | undefined => {
  const problem = checkOptions(options)
  return problem === undefined ? undefined : new Errors.InvalidOptions(problem)
}

/**
 * Resolves options (over a base, the defaults unless given). Throws the
 * `InvalidOptions` of {@link validate} for invalid options; `make` and
 * `layer` report it in their error channel instead.
 *
 * @since 0.1.0
 */
export const settings = (options: Options = {}, base?: Settings): Settings => {
  const invalid = validate(options)
  if (invalid !== undefined) throw invalid
  const resolved = resolve(options, base)
  const problem = credentialProblem(resolved)
  if (problem !== undefined) throw problem
  return resolved
}

const resolve = (options: Options, base: Settings | undefined): Settings => {
  const s = resolveCore(options, base)
  const headers = options.headers === undefined
    ? base?.headers ?? {}
    : { ...base?.headers, ...credentials.normalizeHeaders(options.headers, s.redirects.sensitiveHeaders) }
  const auth = options.auth ?? base?.auth
  const given = options.credentialOrigins
  const credentialOrigins = given === undefined
    ? base?.credentialOrigins ?? []
    : given === "any"
    ? "any"
    : given.map((origin) => new URL(origin).origin)
  // the secrets' names join the sensitive headers: dropped by a redirect to another origin, redacted everywhere
  const names = credentials.secretNames(headers, auth, s.redirects.sensitiveHeaders)
  const redirects = names.every((name) => s.redirects.sensitiveHeaders.has(name))
    ? s.redirects
    : { ...s.redirects, sensitiveHeaders: new Set([...s.redirects.sensitiveHeaders, ...names]) }
  return { ...s, redirects, headers, auth, credentialOrigins, mapRequest: options.mapRequest ?? base?.mapRequest }
}

/** A client with credentials and no origin to send them to is a mistake to report, not a silent 401. */
const credentialProblem = (s: Settings): Errors.InvalidOptions | undefined =>
  s.baseUrl === undefined && s.credentialOrigins !== "any" && s.credentialOrigins.length === 0 &&
    (s.auth !== undefined || credentials.secretNames(s.headers, undefined, s.redirects.sensitiveHeaders).length > 0)
    ? new Errors.InvalidOptions({
      option: s.auth !== undefined ? "auth" : "headers",
      value: "given to a client without baseUrl",
      expected: "a baseUrl (credentials go to its origin only) or `credentialOrigins` naming where they may go " +
        "(a list of origins, or \"any\")"
    })
    : undefined

const resolveCore = (
  options: Options,
  base: Settings | undefined
): Omit<Settings, "headers" | "auth" | "credentialOrigins" | "mapRequest"> => ({
  retry: options.retry === undefined
    ? base?.retry ?? Retry.defaults
    : "schedule" in options.retry && "enabled" in options.retry
    ? options.retry as Retry.Policy
    : Retry.policy(options.retry as Retry.Options),
  timeouts: Timeouts.make(options.timeouts, base?.timeouts),
  redirects: options.redirects === undefined
    ? base?.redirects ?? Redirects.defaults
    : "sensitiveHeaders" in options.redirects && options.redirects.sensitiveHeaders instanceof Set
    ? options.redirects as Redirects.Policy
    : Redirects.make(options.redirects as Redirects.Input),
  maxBodySize: options.maxBodySize ?? base?.maxBodySize ?? 10 * MIB,
  isFailure: options.isFailure ?? base?.isFailure ?? ((status) => status >= 400),
  baseUrl: options.baseUrl === undefined
    ? base?.baseUrl
    : typeof options.baseUrl === "string"
    ? new URL(options.baseUrl)
    : options.baseUrl,
  allowAbsoluteUrls: options.allowAbsoluteUrls ?? base?.allowAbsoluteUrls ?? false,
  allowOutsideBasePath: options.allowOutsideBasePath ?? base?.allowOutsideBasePath ?? false,
  allowAddress: options.allowAddress ?? base?.allowAddress,
  spans: options.spans ?? base?.spans ?? true,
  metrics: options.metrics ?? base?.metrics ?? true,
  decompress: options.decompress ?? base?.decompress ?? true,
  propagation: options.propagation === undefined
    ? base?.propagation ?? Propagation.make()
    : Propagation.make(options.propagation),
  retryLogLevel: options.retryLogLevel ?? base?.retryLogLevel ?? "Debug",
  policies: options.policies ?? base?.policies ?? [],
  hooks: options.hooks ?? base?.hooks
})

interface Engine {
  readonly transport: Transport.Transport
  readonly scheduler: DeadlineScheduler
  readonly proxyFor: ((url: URL) => Classify.Context["proxy"]) | undefined
  readonly warnedProxies: Set<string>
  readonly rateLimit: RateLimit.Limiter | undefined
  readonly durationLabels: Map<string, ReadonlyArray<MetricLabel.MetricLabel>>
  /** The client's retry budget (a shared one from the context, or its own), for policies that name none. */
  readonly budget: Retry.Budget
}

const compile = (engine: Engine, s: Settings): Compiled => ({
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

const makeClient = (engine: Engine, s: Settings): ResilientClient => {
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

const EngineKey = Symbol.for("@steadfast/core/Client/engine")

/**
 * Builds a client over a transport. The deadline scheduler runs in a fiber
 * tied to the scope. A `RateLimit.RateLimiter` in the context, when there is
 * one, gates every attempt and learns from every response; a
 * `Budget.SharedBudget` in the context is the client's retry budget (else
 * it gets its own, `Budget.make()`).
 *
 * @since 0.1.0
 */
export const makeWithTransport = (
  transport: Transport.Transport,
  options?: Options,
  extra?: { readonly proxyFor?: ((url: URL) => Classify.Context["proxy"]) | undefined }
): Effect.Effect<ResilientClient, Errors.InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const invalid = validate(options)
    if (invalid !== undefined) return yield* invalid
    const s = resolve(options ?? {}, undefined)
    const problem = credentialProblem(s)
    if (problem !== undefined) return yield* problem
    const clock = yield* Effect.clock
    const scheduler = new DeadlineScheduler(clock)
    yield* Effect.forkScoped(Effect.interruptible(scheduler.run))
    const rateLimit = yield* Effect.serviceOption(RateLimit.RateLimiter)
    const budget = yield* Effect.serviceOption(Budget.SharedBudget)
    return makeClient(
      {
        transport,
        scheduler,
        proxyFor: extra?.proxyFor,
        warnedProxies: new Set(),
        durationLabels: new Map(),
        rateLimit: rateLimit._tag === "Some" ? rateLimit.value : undefined,
        budget: budget._tag === "Some" ? budget.value : Budget.make()
      },
      s
    )
  })

/**
 * Builds a client over the platform `HttpClient` in the context.
 *
 * @since 0.1.0
 */
export const make = (
  options?: Options
): Effect.Effect<ResilientClient, Errors.InvalidOptions, HttpClient.HttpClient | Scope.Scope> =>
  Effect.flatMap(HttpClient.HttpClient, (client) => makeWithTransport(Transport.fromHttpClient(client), options))

/**
 * A layer providing the client over the platform `HttpClient` in the context
 * (a fast direct path is taken when that client carries one, as the node and
 * testkit clients do).
 *
 * @example
 * ```ts
 * import { Client } from "@steadfast/core"
 *
 * const layer = Client.layer({ retry: { retries: 5 }, timeouts: { response: "10 seconds" } })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options?: Options): Layer.Layer<Client, Errors.InvalidOptions, HttpClient.HttpClient> =>
  Layer.scoped(Client, make(options))

/**
 * Reads client options from `Config` (environment variables by default):
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `RETRIES` | maximum retries | 3 |
 * | `BACKOFF_BASE` | first backoff delay | 100 millis |
 * | `BACKOFF_CAP` | longest backoff delay | 10 seconds |
 * | `JITTER` | full, equal, decorrelated or none | full |
 * | `RETRY_AFTER_MAX` | longest Retry-After honoured | 60 seconds |
 * | `TIMEOUT_POOL`, `TIMEOUT_CONNECT`, `TIMEOUT_RESPONSE`, `TIMEOUT_BODY_IDLE`, `TIMEOUT_DEADLINE` | time limits, or `off` | 30 s, 5 s, 30 s, 30 s, 2 min |
 * | `MAX_REDIRECTS` | redirects followed | 10 |
 * | `MAX_BODY_SIZE` | body size limit in bytes | 10485760 |
 * | `BASE_URL` | base for relative urls | none |
 *
 * Use `Config.nested(Client.config, "STEADFAST")` for `STEADFAST_RETRIES` and so on.
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.map(
  Config.all({
    retries: Config.option(Config.integer("RETRIES")),
    base: Config.option(Config.duration("BACKOFF_BASE")),
    cap: Config.option(Config.duration("BACKOFF_CAP")),
    jitter: Config.option(Config.literal("full", "equal", "decorrelated", "none")("JITTER")),
    retryAfterMax: Config.option(Config.duration("RETRY_AFTER_MAX")),
    timeouts: Config.nested(Timeouts.config, "TIMEOUT"),
    maxRedirects: Config.option(Config.integer("MAX_REDIRECTS")),
    maxBodySize: Config.option(Config.integer("MAX_BODY_SIZE")),
    baseUrl: Config.option(Config.url("BASE_URL"))
  }),
  (c): Options => ({
    // options, not built policies: the client checks them (`RETRIES=-1` is an InvalidOptions)
    retry: {
      retries: c.retries._tag === "Some" ? c.retries.value : undefined,
      backoff: {
        base: c.base._tag === "Some" ? c.base.value : undefined,
        cap: c.cap._tag === "Some" ? c.cap.value : undefined,
        jitter: c.jitter._tag === "Some" ? c.jitter.value : undefined
      },
      retryAfterMax: c.retryAfterMax._tag === "Some" ? c.retryAfterMax.value : undefined
    },
    timeouts: c.timeouts,
    redirects: c.maxRedirects._tag === "Some" ? { max: c.maxRedirects.value } : undefined,
    maxBodySize: c.maxBodySize._tag === "Some" ? c.maxBodySize.value : undefined,
    baseUrl: c.baseUrl._tag === "Some" ? c.baseUrl.value : undefined
  })
)

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>

/**
 * `overrides` on top of `base`: fields left `undefined` keep the base's, and
 * `timeouts` merge field by field (overriding the response timeout keeps a
 * connect timeout that came from the environment). `retry` and `redirects`
 * are replaced whole.
 *
 * @example
 * ```ts
 * import { Client } from "@steadfast/core"
 *
 * Client.mergeOptions({ timeouts: { connect: "2 seconds" } }, { timeouts: { response: "5 seconds" } })
 * // { timeouts: { connect: "2 seconds", response: "5 seconds" } }
 * ```
 *
 * @since 0.1.0
 */
export const mergeOptions = (base: Options, overrides: Options | undefined): Options => {
  if (overrides === undefined) return base
  const timeouts = base.timeouts === undefined || overrides.timeouts === undefined
    ? overrides.timeouts ?? base.timeouts
    : { ...base.timeouts, ...defined(overrides.timeouts) }
  return { ...base, ...defined(overrides), ...(timeouts === undefined ? {} : { timeouts }) }
}

/**
 * A layer whose options come from `Config` (see {@link config}), prefixed
 * with `STEADFAST_` by default; `overrides` from code win (see {@link mergeOptions}).
 * A variable under the prefix that is not one of these (a misspelling such
 * as `STEADFAST_TIMEOUT_CONECT`) is logged as a warning naming the closest
 * known variable (see `ConfigKeys`).
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options?: { readonly prefix?: string | undefined; readonly overrides?: Options | undefined }
): Layer.Layer<Client, ConfigError.ConfigError | Errors.InvalidOptions, HttpClient.HttpClient> =>
  Layer.scoped(
    Client,
    Effect.zipRight(
      // a misspelt STEADFAST_* variable is a setting not applied: say so
      ConfigKeys.warnUnknown(config, options?.prefix ?? "STEADFAST"),
      Effect.flatMap(
        options?.prefix === "" ? config : Config.nested(config, options?.prefix ?? "STEADFAST"),
        (fromConfig) => make(mergeOptions(fromConfig, options?.overrides))
      )
    )
  )

/**
 * A client with some settings changed; the transport and the deadline
 * scheduler are shared. Use it per request too: deriving is cheap.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Client } from "@steadfast/core"
 * import { Effect } from "effect"
 *
 * const report = Effect.gen(function*() {
 *   const client = yield* Client.Client
 *   const patient = Client.withOptions(client, { timeouts: { response: "2 minutes" } })
 *   return yield* patient.text(HttpClientRequest.get("https://reports.example.com/monthly"))
 * })
 * ```
 *
 * @since 0.1.0
 */
export const withOptions: {
  (options: Options): (self: ResilientClient) => ResilientClient
  (self: ResilientClient, options: Options): ResilientClient
} = dual(2, (self: ResilientClient, options: Options): ResilientClient => {
  const engine = (self as unknown as { readonly [EngineKey]: Engine })[EngineKey]
  const invalid = validate(options)
  if (invalid !== undefined) return refusing(self, invalid)
  const s = resolve(options, self.settings)
  const problem = credentialProblem(s)
  return problem === undefined ? makeClient(engine, s) : refusing(self, problem)
})

/**
 * A derived client whose options are invalid: every request fails with
 * `InvalidRequest` naming the option, and nothing is sent. (Deriving is
 * synchronous, so the problem surfaces on the typed channel of each request.)
 */
const refusing = (self: ResilientClient, invalid: Errors.InvalidOptions): ResilientClient => {
  const refuse = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.fail(
      new Errors.InvalidRequest({
        request: { method: request.method, url: redactUrl(request.url) },
        attempts: 0,
        history: [],
        reason: `Client.withOptions was given an invalid option: ${invalid.message}`
      })
    )
  const base = HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest, never, never>) => Effect.flatMap(effect, refuse),
    Effect.succeed
  ) as HttpClient.HttpClient.With<Errors.HttpError>
  const client = Object.create(base) as { -readonly [K in keyof ResilientClient]: ResilientClient[K] }
  client[TypeId] = TypeId
  client.settings = self.settings
  client.bytes = refuse
  client.text = refuse
  client.json = refuse as ResilientClient["json"]
  ;(client as unknown as { [EngineKey]: Engine })[EngineKey] =
    (self as unknown as { readonly [EngineKey]: Engine })[EngineKey]
  return client as ResilientClient
}

/**
 * A client with other time limits (missing ones are kept).
 *
 * @since 0.1.0
 */
export const withTimeouts: {
  (timeouts: Timeouts.Input): (self: ResilientClient) => ResilientClient
  (self: ResilientClient, timeouts: Timeouts.Input): ResilientClient
} = dual(2, (self: ResilientClient, timeouts: Timeouts.Input) => withOptions(self, { timeouts }))

/**
 * A client with another retry policy.
 *
 * @since 0.1.0
 */
export const withRetry: {
  (retry: Retry.Policy | Retry.Options): (self: ResilientClient) => ResilientClient
  (self: ResilientClient, retry: Retry.Policy | Retry.Options): ResilientClient
} = dual(2, (self: ResilientClient, retry: Retry.Policy | Retry.Options) => withOptions(self, { retry }))

/**
 * A client with another redirect policy.
 *
 * @since 0.1.0
 */
export const withRedirects: {
  (redirects: Redirects.Policy | Redirects.Input): (self: ResilientClient) => ResilientClient
  (self: ResilientClient, redirects: Redirects.Policy | Redirects.Input): ResilientClient
} = dual(2, (self: ResilientClient, redirects: Redirects.Policy | Redirects.Input) => withOptions(self, { redirects }))

/**
 * A client with another list of resilience policies (`Breaker.make`,
 * `Bulkhead.make`, `Hedge.make`, …) in place of this one's; the rest is
 * shared (connections, retry budget, rate limiter, settings). For a request
 * or a group of requests that needs other policies — a health check that
 * must reach the origin even when the breaker is open, a latency-critical
 * read that is hedged. The policies keep their state (a breaker stays
 * open), so pass the same values to share it. Deriving is cheap (one
 * object), but derive once rather than per request in a hot loop.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Client, Hedge } from "@steadfast/core"
 * import { Effect } from "effect"
 *
 * const hedge = Hedge.make({ delay: "100 millis" })
 * const search = (q: string) =>
 *   Effect.gen(function*() {
 *     const hedged = Client.withPolicies(yield* Client.Client, [hedge])
 *     return yield* hedged.json(HttpClientRequest.get("https://search.example.com/").pipe(
 *       HttpClientRequest.setUrlParam("q", q)
 *     ))
 *   })
 * ```
 *
 * @since 0.1.0
 */
export const withPolicies: {
  (policies: ReadonlyArray<Policy.Policy>): (self: ResilientClient) => ResilientClient
  (self: ResilientClient, policies: ReadonlyArray<Policy.Policy>): ResilientClient
} = dual(2, (self: ResilientClient, policies: ReadonlyArray<Policy.Policy>) => withOptions(self, { policies }))

/**
 * A client that sends `headers` with every request, besides the ones it
 * already sends (a request's own header of the same name still wins).
 * Headers that hold secrets are credentials: see `Options.headers`.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Client } from "@steadfast/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = Client.withHeaders(yield* Client.Client, { accept: "application/vnd.api+json" })
 *   return yield* client.json(HttpClientRequest.get("/users/1"))
 * })
 * ```
 *
 * @since 0.1.0
 */
export const withHeaders: {
  (headers: Readonly<Record<string, Auth.Secret>>): (self: ResilientClient) => ResilientClient
  (self: ResilientClient, headers: Readonly<Record<string, Auth.Secret>>): ResilientClient
} = dual(2, (self: ResilientClient, headers: Readonly<Record<string, Auth.Secret>>) => withOptions(self, { headers }))

/**
 * A client with other credentials (see `Auth` and `Options.auth`).
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Auth, Client } from "@steadfast/core"
 * import { Effect } from "effect"
 *
 * const asAdmin = (token: string) =>
 *   Effect.gen(function*() {
 *     const admin = Client.withAuth(yield* Client.Client, Auth.bearer(token))
 *     return yield* admin.json(HttpClientRequest.get("/admin/stats"))
 *   })
 * ```
 *
 * @since 0.1.0
 */
export const withAuth: {
  (auth: Auth.Auth): (self: ResilientClient) => ResilientClient
  (self: ResilientClient, auth: Auth.Auth): ResilientClient
} = dual(2, (self: ResilientClient, auth: Auth.Auth) => withOptions(self, { auth }))

/**
 * A client whose requests go through `f` first, after the client's earlier
 * mappings and before url resolution, default headers and credentials
 * (what `f` sets is the request's own). Unlike the platform's
 * `HttpClient.mapRequest`, the result is still a steadfast client, with
 * `json`, `text` and `bytes`, and keeps the mapping through `withOptions`.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Client } from "@steadfast/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = Client.mapRequest(yield* Client.Client, HttpClientRequest.setUrlParam("api-version", "2"))
 *   return yield* client.json(HttpClientRequest.get("/users/1"))
 * })
 * ```
 *
 * @since 0.1.0
 */
export const mapRequest: {
  (
    f: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
  ): (self: ResilientClient) => ResilientClient
  (
    self: ResilientClient,
    f: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
  ): ResilientClient
} = dual(
  2,
  (self: ResilientClient, f: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest) =>
    withOptions(self, { mapRequest: andThen(self.settings.mapRequest, f) })
)

/**
 * {@link mapRequest} with an Effect, run once per request (before its first
 * attempt; for a value to get before every attempt, such as a token, use
 * `Auth.bearer(effect)`). A failure of `f` fails the request with
 * `InvalidRequest` (nothing sent, not retried), whose `cause` is the failure.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Client } from "@steadfast/core"
 * import { Effect, Random } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = Client.mapRequestEffect(yield* Client.Client, (request) =>
 *     Effect.map(Random.nextInt, (n) => HttpClientRequest.setHeader(request, "x-request-id", `req-${n}`)))
 *   return yield* client.json(HttpClientRequest.get("/users/1"))
 * })
 * ```
 *
 * @since 0.1.0
 */
export const mapRequestEffect: {
  <E>(
    f: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest, E>
  ): (self: ResilientClient) => ResilientClient
  <E>(
    self: ResilientClient,
    f: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest, E>
  ): ResilientClient
} = dual(
  2,
  <E>(
    self: ResilientClient,
    f: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest, E>
  ) => withOptions(self, { mapRequest: andThen(self.settings.mapRequest, f) })
)

/**
 * Sends a request with the client in the context and decodes its JSON body
 * (with `schema`, or as `unknown`).
 *
 * @since 0.1.0
 */
export const json: {
  <A, I, R>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, R>
  ): Effect.Effect<A, Errors.HttpError, R | Client>
  (request: HttpClientRequest.HttpClientRequest): Effect.Effect<unknown, Errors.HttpError, Client>
} = <A, I, R>(
  request: HttpClientRequest.HttpClientRequest,
  schema?: Schema.Schema<A, I, R>
): Effect.Effect<unknown, Errors.HttpError, R | Client> =>
  Effect.flatMap(Client, (client) => schema === undefined ? client.json(request) : client.json(request, schema))

/**
 * Sends a request with the client in the context and reads its body as text.
 *
 * @since 0.1.0
 */
export const text = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<string, Errors.HttpError, Client> =>
  Effect.flatMap(Client, (client) => client.text(request))

/**
 * Sends a request with the client in the context and reads its body as bytes.
 *
 * @since 0.1.0
 */
export const bytes = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Uint8Array, Errors.HttpError, Client> => Effect.flatMap(Client, (client) => client.bytes(request))

/**
 * Sends a request with the client in the context; the response body stays
 * under the client's body idle timeout, deadline and size limit.
 *
 * @since 0.1.0
 */
export const execute = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, Errors.HttpError, Client> =>
  Effect.flatMap(Client, (client) => client.execute(request))

/**
 * Runs `effect` and returns its value with the attempt history of the
 * steadfast requests it made: every attempt, what was decided after it
 * (re-send, retry, give up) and why, the waits, and for the attempt that
 * succeeded a record with `tag: "Success"` and its status. A request that
 * fails carries the same records in its error's `history`.
 *
 * Wrap one request to read its story; with several, their records follow
 * each other in the order the requests ended (`attempt` starts again at 1
 * for each).
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Client } from "@steadfast/core"
 *
 * const program = Effect.gen(function*() {
 *   const [user, history] = yield* Client.withHistory(Client.json(HttpClientRequest.get("https://api.example.com/users/1")))
 *   if (history.length > 1) yield* Effect.log(`took ${history.length} attempts`)
 *   return user
 * })
 * ```
 *
 * @since 0.1.0
 */
export const withHistory = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<readonly [A, ReadonlyArray<Errors.AttemptRecord>], E, R> =>
  Effect.suspend(() => {
    const records: Array<Errors.AttemptRecord> = []
    return Effect.map(Effect.locally(effect, historyRef, records), (value) => [value, records] as const)
  })
