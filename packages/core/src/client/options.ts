/**
 * What a client is built from: its `Options`, and the `Settings` they
 * resolve to.
 *
 * @since 0.1.0
 */
import * as Effect from "#line/Effect"
import type { HttpClientRequest } from "#line/http"
import * as LogLevel from "#line/LogLevel"
import type * as Auth from "../Auth.js"
import type * as Hooks from "../Hooks.js"
import { type Mapper } from "../internal/mapRequest.js"
import * as Policy from "../Policy.js"
import * as Propagation from "../Propagation.js"
import * as Redirects from "../Redirects.js"
import * as Retry from "../Retry.js"
import * as Timeouts from "../Timeouts.js"

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
