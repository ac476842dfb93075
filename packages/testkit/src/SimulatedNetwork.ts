/**
 * An in-memory network for deterministic resilience tests.
 *
 * `SimulatedNetwork.layer(scenario)` provides the platform
 * `HttpClient.HttpClient`, so the steadfast client — or any
 * `@effect/platform` code, `HttpApiClient` included — runs over it
 * unchanged, and the `SimulatedNetwork` service, to script routes and read
 * what happened. Each attempt gets the next fault of its route's script
 * (see `Scenario` and `Fault`). Latency, trickled bodies and hangs are
 * `Effect.sleep`s, so tests run under `TestClock` in virtual time.
 *
 * Failures have the shapes the node transport produces: before the response
 * headers a platform `RequestError` (`reason: "Transport"`), while the body is
 * read a `ResponseError` (`reason: "Decode"`), each with the Node / undici
 * error a real socket would raise as `cause` (built by `NodeErrors`):
 *
 * | fault | cause |
 * |---|---|
 * | `DnsFailure` | `getaddrinfo ENOTFOUND` / `EAI_AGAIN` (temporary) |
 * | `Refused` | `connect ECONNREFUSED <address>:<port>` |
 * | `Unreachable` | `connect ENETUNREACH <address>:<port>` |
 * | `TlsFailure` | `DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`, `ERR_SSL_WRONG_VERSION_NUMBER` |
 * | `ResetBeforeResponse` | `read ECONNRESET` |
 * | `CloseBeforeResponse` | undici `SocketError: other side closed` (`UND_ERR_SOCKET`) |
 * | `Malformed` | undici `HTTPParserError` |
 * | `ResetMidBody` | `read ECONNRESET`, while the body is read |
 * | `Truncated` | undici `SocketError: other side closed`, while the body is read |
 * | `ConnectHang` | never connects: the client's connect timeout fires |
 * | `NoResponse` | connects, never answers: the response timeout fires |
 *
 * Hostnames resolve to fixed addresses in `198.18.0.0/15` (the benchmarking
 * range), the same for a name in every run; IP literals are used as they are.
 * Routing looks at the method and path only, so a redirect to
 * `https://secondary.test/x` is served by the route of `/x` (match the host
 * with a predicate route when it matters).
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
 *
 * const program = Effect.gen(function* () {
 *   const net = yield* SimulatedNetwork.SimulatedNetwork
 *   yield* net.script("GET /items", [Fault.reset(), Reply.json(200, [])])
 *   const first = yield* Effect.either(HttpClient.get("http://api.test/items"))
 *   const second = yield* HttpClient.get("http://api.test/items")
 *   return (yield* net.attempts("GET /items")).length // 2
 * }).pipe(Effect.provide(SimulatedNetwork.layer()))
 * ```
 *
 * @since 0.1.0
 */
import type { Transport } from "@steadfast/core"
import * as Context from "@steadfast/core/line/Context"
import type * as Effect from "@steadfast/core/line/Effect"
import type { HttpClient } from "@steadfast/core/line/http"
import type * as Layer from "@steadfast/core/line/Layer"
import type { Fault } from "./Fault.js"
import { fingerprint as fingerprintOf } from "./internal/fingerprint.js"
import * as internal from "./internal/sim/network.js"
import type * as Scenario from "./Scenario.js"

/**
 * Where in an attempt something happened: while connecting (DNS, TCP,
 * TLS), between the request and the response headers, or while the body
 * was read.
 *
 * @since 0.1.0
 */
export type Phase = "connect" | "response" | "body"

/**
 * How an attempt ended (so far):
 * - `Pending`: still connecting or waiting for the response;
 * - `Response`: the headers arrived with `status` (and the body, if read,
 *   did not fail);
 * - `Failed`: failed with the Node / undici error `code` (`"ECONNRESET"`,
 *   `"UND_ERR_SOCKET"`, `"HTTPParserError"` for undici's parser error, which
 *   has no code) in `phase`;
 * - `Aborted`: the client cut it off in `phase`; `reason` is the `_tag` of
 *   the abort from `Transport.abortReasonTag` (`"ConnectTimeout"`,
 *   `"ResponseTimeout"`, `"BodyTimeout"`, `"DeadlineExceeded"`,
 *   `"Interrupted"`), `"Aborted"` when the signal was aborted by something
 *   other than the steadfast client, `"Interrupted"` when the fiber was
 *   interrupted without an abort.
 *
 * @since 0.1.0
 */
export type Outcome =
  | { readonly _tag: "Pending" }
  | { readonly _tag: "Response"; readonly status: number }
  | { readonly _tag: "Failed"; readonly code: string; readonly phase: Phase }
  | { readonly _tag: "Aborted"; readonly reason: string; readonly phase: Phase }

/**
 * One attempt as the network saw it. Secrets are redacted: `url` with
 * `Redact.url`, `headers` with `Redact.headers`; for each redacted header,
 * `fingerprints` holds a stable fingerprint of the value that was sent (see
 * {@link fingerprint}), so a test can check which token went out without
 * printing it.
 *
 * - `seq`: position in the timeline (0-based);
 * - `at` / `endedAt`: virtual time in milliseconds (`Clock.currentTimeMillis`)
 *   when the attempt started and when its outcome was last set;
 * - `route`: the key of the route that served it; `step`: the 0-based index
 *   of the attempt on that route (the step of its script);
 * - `fault`: the `_tag` of the fault it got (the outer one for
 *   `ConnectLatency` / `ResponseLatency`).
 *
 * @since 0.1.0
 */
export interface AttemptRecord {
  readonly seq: number
  readonly at: number
  readonly endedAt: number | undefined
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** Header name (as sent) → `fingerprint(value)`, for every header whose value `headers` redacts. */
  readonly fingerprints: Readonly<Record<string, string>>
  readonly route: string
  readonly step: number
  readonly fault: Fault["_tag"]
  readonly outcome: Outcome
}

/**
 * Which requests a scripted route serves: `"GET /items"`, `"* /items/*"`
 * (any method, a prefix), `"/items"` (any method), or a named predicate.
 *
 * @since 0.1.0
 */
export type RouteSpec =
  | string
  | {
    readonly name: string
    readonly test: (request: { readonly method: string; readonly url: URL }) => boolean
  }

/**
 * The service: the client and transport it provides, scripting, and the
 * record of every attempt.
 *
 * @since 0.1.0
 */
export interface Service {
  /** The platform client over this network (also provided as `HttpClient.HttpClient`). */
  readonly client: HttpClient.HttpClient
  /** The direct transport the client carries (`tracksConnect: true`). */
  readonly transport: Transport.Transport
  /**
   * Scripts a route: replaces the route with the same key (its step count
   * restarts), or adds it in front of the others, so it wins over routes
   * that were there before. It takes one step (`Fault.status(503)`), an
   * array of steps, or a `Scenario.sequence` / `Scenario.chaos` script; one
   * step or a bare array fails loudly after its last step (`after: "fail"`).
   */
  readonly script: (
    route: RouteSpec,
    steps: Fault | ReadonlyArray<Fault> | Scenario.Sequence | Scenario.Chaos
  ) => Effect.Effect<void>
  /** Replaces every route; step counts restart, records are kept. */
  readonly setScenario: (scenario: Scenario.Scenario) => Effect.Effect<void>
  /** The attempts served by the route with key `route`, in order; all attempts without it. */
  readonly attempts: (route?: string) => Effect.Effect<ReadonlyArray<AttemptRecord>>
  /** Every attempt, in the order they started. */
  readonly timeline: Effect.Effect<ReadonlyArray<AttemptRecord>>
  /** Forgets the records and restarts every route's step count; the routes stay. */
  readonly reset: Effect.Effect<void>
}

/**
 * The SimulatedNetwork service.
 *
 * @since 0.1.0
 */
export class SimulatedNetwork extends Context.Tag("@steadfast/testkit/SimulatedNetwork")<SimulatedNetwork, Service>() {}

/**
 * Builds a network (and its client) over `scenario` outside of a layer.
 *
 * @since 0.1.0
 */
export const make: (scenario?: Scenario.Scenario) => Effect.Effect<Service> = internal.make

/**
 * A fresh network for each build of the layer, providing both
 * `SimulatedNetwork` and the platform `HttpClient.HttpClient` over it.
 * Without a scenario no route exists until one is scripted.
 *
 * @example
 * ```ts
 * import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
 *
 * const layer = SimulatedNetwork.layer(Scenario.make({
 *   "GET /items": Scenario.sequence([Fault.status(503), Reply.json(200, [])], { after: "repeat-last" })
 * }))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (scenario?: Scenario.Scenario): Layer.Layer<SimulatedNetwork | HttpClient.HttpClient> =>
  internal.layer(SimulatedNetwork, scenario)

/**
 * One line describing an attempt, for messages and debugging:
 * `#2 +1500ms GET https://api.test/items [ResetBeforeResponse] -> ECONNRESET`.
 *
 * @since 0.1.0
 */
export const format: (record: AttemptRecord) => string = internal.formatRecord

/**
 * A stable fingerprint of a secret value: `sha256:` and 16 hex digits of its
 * SHA-256. Compare it with a record's `fingerprints` to check which secret
 * was sent; a failing comparison prints two fingerprints, never the secret.
 *
 * @example
 * ```ts
 * import { SimulatedNetwork } from "@steadfast/testkit"
 * import { Effect } from "effect"
 * import { strictEqual } from "node:assert"
 *
 * // inside a test that provides SimulatedNetwork.layer(), after a GET /me:
 * const sentToken = Effect.gen(function*() {
 *   const net = yield* SimulatedNetwork.SimulatedNetwork
 *   const [attempt] = yield* net.attempts("GET /me")
 *   strictEqual(attempt?.fingerprints["authorization"], SimulatedNetwork.fingerprint("Bearer t0k3n"))
 * })
 * ```
 *
 * @since 0.1.0
 */
export const fingerprint: (value: string) => string = fingerprintOf

/**
 * A short label for an attempt's outcome: the status (`"200"`), the error
 * code (`"ECONNRESET"`, with ` (body)` when it happened during the body),
 * `"aborted: ResponseTimeout"`, or `"pending"`.
 *
 * @since 0.1.0
 */
export const outcomeLabel: (record: AttemptRecord) => string = internal.outcomeLabel
