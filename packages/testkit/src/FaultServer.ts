/**
 * The fault server: a Scenario played on real loopback sockets.
 *
 * Where `SimulatedNetwork` fakes the network in memory under virtual time,
 * the fault server opens real listeners on `127.0.0.1` (port 0) and produces
 * each fault of the vocabulary with real bytes, resets and handshakes, on the
 * wall clock. Use it to test the node transport, and your own application end
 * to end, against the same scenarios you run in memory.
 *
 * ## Listeners (see {@link Urls})
 * - `http` / `https`: the primary origin; serves the scenario's routes. The
 *   https listener presents a leaf for `localhost` and `127.0.0.1` signed by
 *   the test CA ({@link FaultServer.ca}): a client that trusts it gets a
 *   verified connection.
 * - `secondaryHttp` / `secondaryHttps`: a second origin that answers every
 *   request with the request it received, as JSON `{ method, url, headers,
 *   body }`: the target of cross-origin redirects (`Fault.redirect(…,
 *   "secondary")`, resolved to the secondary of the same scheme). A redirect
 *   with origin `"insecure"` points to the primary `http` origin, for
 *   https → http downgrade tests.
 * - `selfSigned`, `expired`, `wrongHost`: TLS listeners presenting the
 *   certificates of the same names (see `Certificates`); `handshake`: a TLS
 *   listener that can agree on no cipher suite and answers the ClientHello
 *   with a `handshake_failure` alert; `connectHang`: accepts TCP and never
 *   answers the ClientHello; `refused`: a port that was bound, then released.
 *   A client that (wrongly) accepts one of the bad certificates gets a 421.
 *
 * ## Faults on an open connection (served by the primary listeners)
 * | fault | on the wire | what an undici client sees |
 * |---|---|---|
 * | `Reply`, `Fault.status` | the status, headers (`retry-after` included) and body | the response |
 * | `Echo` | the request as JSON | the response |
 * | `Redirect` | the status and `location` (see above) | the redirect; undici does not follow it unless told to |
 * | `ResetBeforeResponse` | reads the request, then RST (`socket.resetAndDestroy()`) | `ECONNRESET` |
 * | `CloseBeforeResponse` | reads the request, then FIN | `UND_ERR_SOCKET` ("other side closed") |
 * | `ResetMidBody` | head with the full `content-length`, `afterBytes` bytes, 25 ms, RST (1) | headers, then `ECONNRESET` on the body |
 * | `Truncated` | head with the full `content-length`, `afterBytes` bytes, FIN | headers, then `UND_ERR_SOCKET` on the body |
 * | `ResponseLatency` | waits `delay` (on the server's timer), then `then` | |
 * | `NoResponse` | reads the request, never answers, keeps the socket open | a response timeout |
 * | `Trickle` | head at once, then `chunkSize` bytes after each `interval` | a slow body |
 * | `Malformed` | the bytes, then FIN | `HTTPParserError` |
 *
 * (1) The pause lets the client read the bytes first: on Linux a RST that
 * arrives while received data is still unread is reported to Node as a clean
 * end of stream (`UND_ERR_SOCKET`), not as `ECONNRESET`. A client that does
 * not read its socket for 25 ms can still see that.
 *
 * A request with `connection: close` gets `connection: close` and a FIN after
 * its response; otherwise connections are kept alive and serve the next request.
 *
 * ## Connection-level faults: the interceptor
 * `DnsFailure`, `Refused`, `Unreachable`, `TlsFailure`, `ConnectHang` and
 * `ConnectLatency` happen before a server could see the request, so they are
 * realised by an undici interceptor, {@link FaultServer.interceptor}, that the
 * client composes into its dispatcher:
 * `new Agent({ connect: { ca: server.ca } }).compose(server.interceptor)`.
 * The interceptor sees each request to the primary origin (origin, path,
 * method) before it connects, draws the route's next step from the same
 * counter the server uses, and:
 * - for a step on an open connection, forwards the request to the primary
 *   listener with an `x-steadfast-step` header naming the drawn step, so the
 *   server plays exactly that step (it removes nothing else from the request,
 *   and the header is left out of echoes and records);
 * - `Refused`: sends the request to the released port: a real `ECONNREFUSED`;
 * - `TlsFailure`: sends it, over https whatever the original scheme, to the
 *   listener for the reason: real TLS errors from Node (`DEPTH_ZERO_SELF_SIGNED_CERT`,
 *   `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`,
 *   `ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE` on Node 20, `ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE` on Node 22). The certificate reasons need a
 *   client that trusts {@link FaultServer.ca}; one that does not gets
 *   `UNABLE_TO_VERIFY_LEAF_SIGNATURE` for `expired` and `hostname-mismatch`;
 * - `ConnectHang`: for https, sends it to the listener that never answers the
 *   ClientHello (a real TLS connect that never completes, undici reports its
 *   connect timeout); for http, to a "black hole": a loopback listener whose
 *   accept queue is full and whose owner (a worker thread) never accepts, so
 *   the kernel drops the SYNs and `connect()` itself hangs. It starts on first
 *   use; on a kernel that still accepts, the request is held until the client
 *   gives up or the server stops (synthesized);
 * - `Unreachable`: sends it through a dedicated undici `Agent` whose
 *   `localAddress` is a TEST-NET address (RFC 5737) that no interface holds:
 *   `bind()` fails with a real `EADDRNOTAVAIL` before any packet is sent. It
 *   aims at the released port on 127.0.0.1, so even on a host that allows
 *   non-local binds nothing leaves loopback;
 * - `DnsFailure`: fails the request, without connecting, with an error of
 *   exactly Node's `getaddrinfo` shape (`code` `ENOTFOUND` or `EAI_AGAIN`,
 *   `errno`, `syscall: "getaddrinfo"`, `hostname`, message `getaddrinfo
 *   ENOTFOUND <host>`), since real DNS is out of reach in tests (synthesized);
 * - `ConnectLatency`: holds the request for `delay` on the server's timer, then
 *   applies `then`. The handler hears nothing meanwhile, so to the client the
 *   request is still connecting; undici's own `connectTimeout` does not see
 *   the delay (it starts afterwards), a client-side connect timeout does.
 *
 * The rerouting goes through the dispatcher the interceptor was composed
 * into, so compose it onto an `Agent` (which dispatches by origin), not a
 * single-origin `Client` or `Pool`. Requests to any other origin pass through
 * untouched. A request that reaches the primary listener without the
 * interceptor draws from the server's own counter; if it draws a
 * connection-level step it gets a 500 whose body says the interceptor is needed.
 *
 * ## Scripts and records
 * Routes are matched and stepped as on the SimulatedNetwork (first match
 * wins). A sequence with `after: "fail"` that has run out answers 500 with a
 * message naming the route and is remembered
 * ({@link FaultServer.exhausted}); a request no route matches gets a 404.
 * Every draw is recorded ({@link Attempt}), and so is every request the
 * secondary origin echoes.
 *
 * ## Time
 * The server waits on its own timer, the wall clock unless the `timer`
 * option ({@link Options}) says otherwise: the delays of `ResponseLatency`,
 * `Trickle`, `ConnectLatency` and the pause of `ResetMidBody` are each one
 * `timer.later`, and records are stamped with `timer.now()`. A test about a
 * delay can run those timers by hand and assert what the client had
 * received before and after each one, instead of timing the exchange. (The
 * black hole's start-up probe, which checks that this kernel drops SYNs,
 * keeps a real 100 ms bound.)
 *
 * Closing the scope (or `stop()`) fails requests the interceptor still holds,
 * destroys every open socket, closes every listener, the internal `Agent` and
 * the black hole: nothing is left open.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Agent, request } from "undici"
 * import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
 *
 * const scenario = Scenario.make({ "GET /items": [Fault.refused(), Reply.json(200, [])] })
 *
 * const program = Effect.gen(function* () {
 *   const server = yield* FaultServer.FaultServer
 *   const dispatcher = new Agent({ connect: { ca: server.ca } }).compose(server.interceptor)
 *   const get = () => request(`${server.urls.https}/items`, { dispatcher })
 *   const first = yield* Effect.promise(() => get().catch((e) => e.code)) // "ECONNREFUSED"
 *   const second = yield* Effect.promise(() => get().then((r) => r.body.json())) // []
 * }).pipe(Effect.provide(FaultServer.layer(scenario)))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "@steadfast/core/line/Context"
import * as Effect from "@steadfast/core/line/Effect"
import * as Layer from "@steadfast/core/line/Layer"
import type * as Scope from "@steadfast/core/line/Scope"
import type { Dispatcher } from "undici"
import type { Fault } from "./Fault.js"
import * as internal from "./internal/server/faultServer.js"
import type * as Scenario from "./Scenario.js"
import type * as Timer from "./Timer.js"

/**
 * The base urls of the listeners (`scheme://127.0.0.1:port`, no trailing
 * slash). See the module comment for what each one does.
 *
 * @since 0.1.0
 */
export interface Urls {
  /** Primary origin, plain http: serves the scenario. */
  readonly http: string
  /** Primary origin, https with a leaf signed by the test CA: serves the scenario. */
  readonly https: string
  /** Secondary origin, plain http: echoes every request. */
  readonly secondaryHttp: string
  /** Secondary origin, https: echoes every request. */
  readonly secondaryHttps: string
  /** TLS with a self-signed certificate. */
  readonly selfSigned: string
  /** TLS with an expired certificate signed by the test CA. */
  readonly expired: string
  /** TLS with a certificate for `wrong.example`, signed by the test CA. */
  readonly wrongHost: string
  /** TLS that fails the handshake (no shared cipher suite: alert 40). */
  readonly handshake: string
  /** Accepts TCP, never answers the TLS ClientHello. */
  readonly connectHang: string
  /** A released port: connecting is refused. */
  readonly refused: string
}

/**
 * Fault server options.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * What the faults wait on and records are stamped with: every delay of
   * `ResponseLatency`, `Trickle`, `ConnectLatency` and `ResetMidBody` is one
   * `timer.later` (see the `Timer` module). A test about a delay passes a
   * timer it runs by hand.
   * @default Timer.real (the wall clock)
   */
  readonly timer?: Timer.Timer
}

/**
 * One recorded attempt: a step drawn for a request (or a request the
 * secondary origin echoed).
 *
 * @since 0.1.0
 */
export interface Attempt {
  /** Time of the draw, in whole epoch milliseconds, on the server's `timer` (the wall clock by default). */
  readonly at: number
  readonly method: string
  /** The request url, secrets redacted (`Redact.url`). */
  readonly url: string
  /** The request headers, secrets redacted (`Redact.headers`). */
  readonly headers: Readonly<Record<string, string>>
  /** The key of the matched route; `undefined` when none matched, or for the secondary origin. */
  readonly route: string | undefined
  /** The 0-based index of the step in the route's script; -1 without a route. */
  readonly step: number
  /**
   * The `_tag` of the drawn fault; `"Exhausted"` when a sequence with
   * `after: "fail"` had run out, `"NoRoute"` when no route matched.
   */
  readonly fault: string
  /** Who drew it: the interceptor, the server (a request without the interceptor), or the secondary origin. */
  readonly via: "interceptor" | "server" | "secondary"
}

/**
 * An attempt that found its route's script exhausted (`after: "fail"`): a
 * request the test did not expect.
 *
 * @since 0.1.0
 */
export interface Exhausted {
  /** Time of the draw, in whole epoch milliseconds, on the server's `timer` (the wall clock by default). */
  readonly at: number
  readonly route: string
  /** The 1-based attempt number. */
  readonly attempt: number
  /** What went wrong, naming the route: also the body of the 500 the request got. */
  readonly message: string
}

/**
 * A running fault server, for code outside Effect ({@link start}).
 *
 * @since 0.1.0
 */
export interface Handle {
  readonly urls: Urls
  /** The test CA certificate (PEM): give it to clients as their trusted CA. */
  readonly ca: string
  /** The undici interceptor that realises connection-level faults (see the module comment). */
  readonly interceptor: Dispatcher.DispatchInterceptor
  /** How many attempts routes with this key have drawn since the start. */
  readonly hits: (route: string) => number
  /** Every recorded attempt, oldest first. */
  readonly attempts: () => ReadonlyArray<Attempt>
  /** Every attempt that found its script exhausted. Empty in a test that went as planned. */
  readonly exhausted: () => ReadonlyArray<Exhausted>
  /** Sockets accepted by the listeners and not closed yet. */
  readonly openSockets: () => number
  /**
   * Replaces the script of the first route with this key, which then starts
   * again at its first step (its hit count keeps growing); a key no route has
   * is added as a new last route (`"GET /path"` syntax). One step or a bare
   * array of steps is a sequence with `after: "fail"`.
   */
  readonly setScript: (route: string, steps: Fault | ReadonlyArray<Fault> | Scenario.Script) => void
  /** Fails held requests, destroys open sockets, closes every listener. Idempotent. */
  readonly stop: () => Promise<void>
}

/**
 * The fault server as an Effect service.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly urls: Urls
  /** The test CA certificate (PEM). */
  readonly ca: string
  /** The undici interceptor that realises connection-level faults. */
  readonly interceptor: Dispatcher.DispatchInterceptor
  /** How many attempts routes with this key have drawn. */
  readonly hits: (route: string) => Effect.Effect<number>
  /** Every recorded attempt, oldest first. */
  readonly attempts: Effect.Effect<ReadonlyArray<Attempt>>
  /** Every attempt that found its script exhausted. */
  readonly exhausted: Effect.Effect<ReadonlyArray<Exhausted>>
  /** Sockets accepted by the listeners and not closed yet. */
  readonly openSockets: Effect.Effect<number>
  /** Replaces (or adds) a route's script; see {@link Handle.setScript}. */
  readonly setScript: (route: string, steps: Fault | ReadonlyArray<Fault> | Scenario.Script) => Effect.Effect<void>
}

/**
 * The fault server service tag.
 *
 * @since 0.1.0
 */
export class FaultServer extends Context.Tag("@steadfast/testkit/FaultServer")<FaultServer, Service>() {}

/**
 * Starts a fault server on 127.0.0.1 for code outside Effect; call
 * `handle.stop()` when done. The first start in a process also generates the
 * test certificates (about 0.2 s).
 *
 * @since 0.1.0
 */
export const start: (scenario: Scenario.Scenario, options?: Options) => Promise<Handle> = internal.start

const toService = (handle: Handle): Service => ({
  urls: handle.urls,
  ca: handle.ca,
  interceptor: handle.interceptor,
  hits: (route) => Effect.sync(() => handle.hits(route)),
  attempts: Effect.sync(() => handle.attempts()),
  exhausted: Effect.sync(() => handle.exhausted()),
  openSockets: Effect.sync(() => handle.openSockets()),
  setScript: (route, script) => Effect.sync(() => handle.setScript(route, script))
})

/**
 * Starts a fault server that stops when the scope closes. Failing to start
 * (no loopback, no WebCrypto) is a defect.
 *
 * @since 0.1.0
 */
export const make = (scenario: Scenario.Scenario, options?: Options): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => internal.start(scenario, options)),
      (handle) => Effect.promise(() => handle.stop())
    ),
    toService
  )

/**
 * A layer providing a {@link FaultServer} that plays `scenario`, stopped when
 * the layer's scope closes.
 *
 * @since 0.1.0
 */
export const layer = (scenario: Scenario.Scenario, options?: Options): Layer.Layer<FaultServer> =>
  Layer.scoped(FaultServer, make(scenario, options))
