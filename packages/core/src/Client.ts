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
import * as Config from "#line/Config"
import * as ConfigError from "#line/ConfigError"
import * as Effect from "#line/Effect"
import { HttpClient } from "#line/http"
import * as Layer from "#line/Layer"
import type * as Scope from "effect/Scope"
import * as Budget from "./Budget.js"
import type * as Classify from "./Classify.js"
import { config, mergeOptions } from "./client/config.js"
import type { Options, Settings } from "./client/options.js"
import { Client, type ResilientClient } from "./client/service.js"
import * as ConfigKeys from "./ConfigKeys.js"
import * as Errors from "./Errors.js"
import { makeClient } from "./internal/engine.js"
import { LabelSets } from "./internal/labelSets.js"
import { DeadlineScheduler } from "./internal/scheduler.js"
import { credentialProblem, resolve, validateOptions } from "./internal/settings.js"
import * as RateLimit from "./RateLimit.js"
import * as Transport from "./Transport.js"

/**
 * `Options` (what a client is built from) and `Settings` (what they resolve to).
 *
 * @since 0.1.0
 */
export * from "./client/options.js"

/**
 * `ResilientClient`, its `TypeId`, and the `Client` service tag.
 *
 * @since 0.1.0
 */
export * from "./client/service.js"

/**
 * `config` (options from environment variables) and `mergeOptions`.
 *
 * @since 0.1.0
 */
export * from "./client/config.js"

/**
 * Derived clients: `withOptions`, `withTimeouts`, `withRetry`,
 * `withRedirects`, `withPolicies`, `withHeaders`, `withAuth`, `mapRequest`,
 * `mapRequestEffect`.
 *
 * @since 0.1.0
 */
export * from "./client/derive.js"

/**
 * Requests with the client in the context (`json`, `text`, `bytes`,
 * `execute`) and `withHistory`.
 *
 * @since 0.1.0
 */
export * from "./client/requests.js"

/**
 * Checks options: the first invalid one as an `InvalidOptions` (naming the
 * option, the value and what is allowed), or `undefined` when all are
 * valid. `Client.layer`, `Client.make` and `settings` run it.
 *
 * @since 0.1.0
 */
export const validate: (options: Options | undefined) => Errors.InvalidOptions | undefined = validateOptions

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
        durationLabels: new LabelSets(),
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
