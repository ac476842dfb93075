/**
 * Clients derived from a client: other options, timeouts, retry,
 * redirects, policies, headers, credentials, request mappings. The
 * transport and the deadline scheduler are shared.
 *
 * @since 0.1.0
 */
import * as Effect from "#line/Effect"
import { HttpClient } from "#line/http"
import type { HttpClientRequest } from "#line/http"
import { dual } from "effect/Function"
import type * as Auth from "../Auth.js"
import * as Errors from "../Errors.js"
import { type Engine, EngineKey, makeClient } from "../internal/engine.js"
import { andThen } from "../internal/mapRequest.js"
import { redactUrl } from "../internal/redact.js"
import { credentialProblem, resolve, validateOptions } from "../internal/settings.js"
import * as Policy from "../Policy.js"
import * as Redirects from "../Redirects.js"
import * as Retry from "../Retry.js"
import * as Timeouts from "../Timeouts.js"
import type { Options } from "./options.js"
import { type ResilientClient, TypeId } from "./service.js"

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
  const invalid = validateOptions(options)
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
