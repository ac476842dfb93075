/**
 * Trace context propagation: the headers that carry the current trace to
 * the server, so that its spans join the caller's trace.
 *
 * Every attempt of a request (each retry, each re-send, each redirect hop)
 * gets its own span when spans are on, and the headers name that span as
 * the parent: the server's span hangs under the attempt that reached it.
 * Nothing is sent when the tracer is off (`Effect.withTracerEnabled(false)`)
 * or there is no span to name.
 *
 * - `"w3c"`: `traceparent: 00-<trace id>-<span id>-<flags>` and, when the
 *   span carries one (an OpenTelemetry span does; Effect's own tracer has
 *   none), `tracestate`.
 * - `"b3"`: the single `b3: <trace id>-<span id>-<sampled>` header of
 *   Zipkin, for meshes that read only B3.
 *
 * Defaults: `["w3c"]` to every origin, except in a browser, where only the
 * page's own origin gets the headers unless `origins` opts others in: a
 * `traceparent` on a cross-origin request is a non-safelisted header, so it
 * turns a simple request into one preceded by a CORS preflight (`OPTIONS`),
 * which the server must answer with `Access-Control-Allow-Headers:
 * traceparent, tracestate` (and `b3` for B3).
 *
 * Turn it off per client or per request with `propagation: false` (per
 * request through `Client.withOptions`), or for one effect with the
 * platform's own switch, `Effect.locally(HttpClient.currentTracerPropagation,
 * false)`. A request that sets its own `traceparent` (or `b3`) keeps it.
 *
 * @example
 * ```ts
 * import { Client } from "@steadfast/core"
 *
 * // W3C and B3 to every origin; in a browser, also to the API's origin
 * const layer = Client.layer({
 *   propagation: { formats: ["w3c", "b3"], origins: ["https://api.example.com"] }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as internal from "./internal/propagation.js"

/**
 * A header format: `"w3c"` (`traceparent`, `tracestate`) or `"b3"` (the
 * single `b3` header).
 *
 * @since 0.1.0
 */
export type Format = "w3c" | "b3"

/**
 * Options of trace propagation.
 *
 * @since 0.1.0
 */
export interface Input {
  /** The header formats to send; `[]` sends none. @default ["w3c"] */
  readonly formats?: ReadonlyArray<Format> | undefined
  /**
   * Which servers get the headers: `"all"`, a list of origins
   * (`"https://api.example.com"`; in a browser the page's own origin is
   * always included, as it needs no preflight), or a function of the url.
   * @default "all"; in a browser, the page's origin only
   */
  readonly origins?: "all" | ReadonlyArray<string> | ((url: URL) => boolean) | undefined
}

/**
 * Resolved propagation settings.
 *
 * @since 0.1.0
 */
export interface Policy {
  readonly formats: ReadonlyArray<Format>
  /** `undefined`: every origin. */
  readonly allow: ((url: URL) => boolean) | undefined
}

/**
 * Resolves options (`true`: the defaults, `false`: off) for the environment
 * the code runs in: in a browser (a page or a worker), the default is the
 * page's own origin only.
 *
 * @example
 * ```ts
 * import { Propagation } from "@steadfast/core"
 *
 * const policy = Propagation.make({ formats: ["w3c", "b3"], origins: ["https://api.example.com"] })
 * Propagation.allows(policy, new URL("https://api.example.com/users")) // true
 * Propagation.allows(policy, new URL("https://cdn.example.com/logo.png")) // false (outside a browser page on cdn.example.com)
 * ```
 *
 * @since 0.1.0
 */
export const make = (input?: Input | boolean): Policy => internal.make(input, internal.pageOrigin(globalThis))

/**
 * Whether a request to `url` gets the headers.
 *
 * @since 0.1.0
 */
export const allows = (policy: Policy, url: URL): boolean =>
  policy.formats.length > 0 && (policy.allow === undefined || policy.allow(url))

/**
 * The headers that name a span as the parent of what the server does, in
 * the given formats: `traceparent` (with `tracestate` when given) for
 * `"w3c"`, `b3` for `"b3"`. A span whose ids are not W3C ids (32 and 16
 * lowercase hex digits, not all zero) gives no header.
 *
 * @example
 * ```ts
 * import { Propagation } from "@steadfast/core"
 *
 * Propagation.headers(
 *   { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true },
 *   ["w3c", "b3"]
 * )
 * // { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
 * //   b3: "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1" }
 * ```
 *
 * @since 0.1.0
 */
export const headers = (
  span: {
    readonly traceId: string
    readonly spanId: string
    readonly sampled: boolean
    readonly traceState?: string | undefined
  },
  formats: ReadonlyArray<Format>
): Record<string, string> => internal.headers(span.traceId, span.spanId, span.sampled, span.traceState, formats)
