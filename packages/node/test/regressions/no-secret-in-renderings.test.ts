/**
 * No secret in any rendering of an error. Every error kind is built
 * through the real node client against the testkit's FaultServer on
 * loopback (and a CONNECT proxy for `ProxyError`), with secrets in the
 * Authorization header, a cookie, a custom auth header, proxy credentials,
 * the url's user info and a token query parameter. Each error is then
 * rendered every way a user might log it — message, stack, `String`,
 * `JSON.stringify`, `util.inspect`, Effect's `Inspectable`, `Cause.pretty`,
 * each built-in logger, span attributes and exit data of a real (Effect's
 * native) tracer, metric keys — and none of the secrets may appear.
 *
 * Before issue 18 the `cause` was the platform's `RequestError` holding the
 * whole request, and `StatusError.headers` kept `set-cookie`.
 *
 * it.live: real sockets and the FaultServer's real timers.
 */
import { metricKeys, recordingTracer } from "#testline/renderings"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Breaker, Bulkhead, Client, Errors, type Policy, RateLimit } from "@steadfast/core"
import * as Cause from "@steadfast/core/line/Cause"
import * as Effect from "@steadfast/core/line/Effect"
import { platformFields } from "@steadfast/core/line/platformReason"
import { Fault, type Fault as FaultType, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Context, Exit, Fiber, Layer, type Scope, type Tracer } from "effect"
import * as util from "node:util"
import { NodeClient } from "../../src/index.js"
import { connectProxy, eventually } from "../helpers.js"
import { leaks, rendered, spanRenderings } from "./renderings.js"

const AUTH = "AUTH-SECRET-a1b2c3"
const COOKIE = "COOKIE-SECRET-d4e5f6"
const CUSTOM = "CUSTOM-SECRET-g7h8i9"
const PROXY = "PROXY-SECRET-j0k1l2"
const USERINFO = "USERINFO-SECRET-m3n4o5"
const QUERY = "QUERY-SECRET-p6q7r8"
const SET_COOKIE = "SETCOOKIE-SECRET-s9t0u1"
/** A token the server echoes in its failure body (kept as `StatusError.body`). */
const BODY = "BODY-SECRET-v2w3x4"
const SECRETS = [
  BODY,
  AUTH,
  COOKIE,
  CUSTOM,
  PROXY,
  USERINFO,
  QUERY,
  SET_COOKIE,
  // the user info travels as Basic credentials
  Buffer.from(`urluser:${USERINFO}`).toString("base64"),
  // the proxy's credentials too
  Buffer.from(`puser:${PROXY}`).toString("base64")
]

/** A header only this client knows to be secret (`redirects.sensitiveHeaders`). */
const CUSTOM_HEADER = "x-upstream-auth"

/** The secret headers (undici refuses a `proxy-authorization` header on a request through its ProxyAgent). */
const withSecrets = (request: HttpClientRequest.HttpClientRequest, proxied = false) =>
  request.pipe(
    HttpClientRequest.setHeaders({
      authorization: `Bearer ${AUTH}`,
      cookie: `session=${COOKIE}`,
      [CUSTOM_HEADER]: CUSTOM,
      ...(proxied ? {} : { "proxy-authorization": `Basic ${Buffer.from(`puser:${PROXY}`).toString("base64")}` })
    })
  )

/** `base` + `/k/<kind>` with the url secrets. */
const urlFor = (base: string, kind: string) => {
  const url = new URL(`${base}/k/${kind}`)
  url.username = "urluser"
  url.password = USERINFO
  url.searchParams.set("access_token", QUERY)
  url.searchParams.set("page", "1")
  return url.href
}

/** A client of its own (over the layer's transport) with one policy, no retries, and the custom secret header. */
const clientWith = (policy: Policy.Policy) =>
  Effect.map(
    Layer.build(
      Client.layer({ retry: { retries: 0 }, redirects: { sensitiveHeaders: [CUSTOM_HEADER] }, policies: [policy] })
    ),
    (context) => Context.get(context, Client.Client)
  )

const kinds: Record<string, FaultType> = {
  dns: Fault.dns(),
  refused: Fault.refused(),
  reset: Fault.reset(),
  unreachable: Fault.unreachable(),
  tls: Fault.tls("self-signed"),
  malformed: Fault.malformed(),
  connectTimeout: Fault.connectLatency("2 seconds"),
  hang: Fault.hang(),
  trickle: Fault.trickle({ chunkSize: 4, interval: "2 seconds" }, Reply.text(200, "x".repeat(8))),
  status: Reply.json(401, { error: "invalid_token", access_token: BODY, detail: `Bearer ${BODY} expired` }, {
    "set-cookie": `session=${SET_COOKIE}; HttpOnly`,
    [CUSTOM_HEADER]: CUSTOM,
    "x-plain": "visible"
  }),
  loop: Fault.redirect(302, "/k/loop"),
  blocked: Fault.redirect(302, `ftp://ftpuser:${USERINFO}@127.0.0.1/file?access_token=${QUERY}`),
  large: Reply.text(200, "x".repeat(100)),
  notJson: Reply.text(200, "not json"),
  midBody: Fault.resetMidBody(8)
}

const scenario = Scenario.make(
  Object.fromEntries(
    Object.entries(kinds).map(([kind, fault]) => [
      `GET /k/${kind}`,
      Scenario.sequence([fault], { after: "repeat-last" })
    ])
  )
)

// --- clients ----------------------------------------------------------------

const nodeLayer = (server: FaultServer.Service, options: NodeClient.Options = {}) =>
  NodeClient.layer({
    proxy: { url: "none" },
    retry: { retries: 0 },
    timeouts: { connect: "250 millis", response: "400 millis", bodyIdle: "300 millis", deadline: "5 seconds" },
    redirects: { sensitiveHeaders: [CUSTOM_HEADER] },
    maxBodySize: 10,
    tls: { ca: server.ca },
    pool: { interceptors: [server.interceptor] },
    ...options
  })

interface Case {
  readonly name: string
  readonly tag: string
  /** Through the proxy (no interceptor: the proxy tunnels to the server). */
  readonly proxied?: boolean
  readonly run: (
    server: FaultServer.Service
  ) => Effect.Effect<unknown, unknown, Client.Client | HttpClient.HttpClient | Scope.Scope>
}

const text = (url: string) => Effect.flatMap(Client.Client, (c) => c.text(withSecrets(HttpClientRequest.get(url))))

const cases: ReadonlyArray<Case> = [
  { name: "dns", tag: "DnsError", run: (s) => text(urlFor(s.urls.http, "dns")) },
  { name: "refused", tag: "ConnectionRefused", run: (s) => text(urlFor(s.urls.http, "refused")) },
  { name: "reset", tag: "ConnectionReset", run: (s) => text(urlFor(s.urls.http, "reset")) },
  { name: "unreachable", tag: "NetworkUnreachable", run: (s) => text(urlFor(s.urls.http, "unreachable")) },
  { name: "tls", tag: "TlsError", run: (s) => text(urlFor(s.urls.https, "tls")) },
  { name: "malformed", tag: "TransportError", run: (s) => text(urlFor(s.urls.http, "malformed")) },
  {
    name: "poolTimeout",
    tag: "PoolTimeout",
    // its own pool of one connection, held by a hanging request: the second waits past timeouts.pool
    run: (s) =>
      Effect.gen(function*() {
        const context = yield* Layer.build(
          nodeLayer(s, {
            timeouts: { pool: "100 millis", response: "400 millis" },
            pool: { connections: 1, interceptors: [s.interceptor] }
          })
        )
        const held = yield* Effect.fork(Effect.provide(text(urlFor(s.urls.http, "hang")), context))
        yield* Effect.sleep("50 millis")
        yield* Effect.provide(text(urlFor(s.urls.http, "hang")), context)
        yield* Effect.ignore(Fiber.join(held))
      })
  },
  { name: "connectTimeout", tag: "ConnectTimeout", run: (s) => text(urlFor(s.urls.http, "connectTimeout")) },
  { name: "hang", tag: "ResponseTimeout", run: (s) => text(urlFor(s.urls.http, "hang")) },
  { name: "trickle", tag: "BodyTimeout", run: (s) => text(urlFor(s.urls.http, "trickle")) },
  {
    name: "deadline",
    tag: "DeadlineExceeded",
    run: (s) =>
      Effect.flatMap(
        Client.Client,
        (c) =>
          Client.withTimeouts(c, { response: "5 seconds", deadline: "300 millis" }).text(
            withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "hang")))
          )
      )
  },
  {
    name: "proxy",
    tag: "ProxyError",
    proxied: true,
    run: (s) =>
      Effect.flatMap(
        Client.Client,
        (c) => c.text(withSecrets(HttpClientRequest.get(urlFor(s.urls.https, "large")), true))
      )
  },
  { name: "status", tag: "StatusError", run: (s) => text(urlFor(s.urls.http, "status")) },
  { name: "loop", tag: "TooManyRedirects", run: (s) => text(urlFor(s.urls.http, "loop")) },
  { name: "blocked", tag: "RedirectBlocked", run: (s) => text(urlFor(s.urls.http, "blocked")) },
  { name: "large", tag: "BodyTooLarge", run: (s) => text(urlFor(s.urls.http, "large")) },
  {
    name: "other origin",
    tag: "InvalidUrl",
    run: (s) =>
      Effect.flatMap(Client.Client, (c) =>
        Client.withOptions(c, { baseUrl: `${s.urls.http}/api/` }).text(
          withSecrets(HttpClientRequest.get(urlFor("http://elsewhere.test", "x")))
        ))
  },
  {
    name: "rate limited",
    tag: "RateLimited",
    run: (s) =>
      Effect.gen(function*() {
        // a client of its own with a quota of one request a minute that never waits
        const context = yield* Layer.build(
          Client.layer({ retry: { retries: 0 }, redirects: { sensitiveHeaders: [CUSTOM_HEADER] } }).pipe(
            Layer.provide(RateLimit.layer({ limit: 1, window: "1 minute", maxWait: "0 millis" }))
          )
        )
        const limited = Context.get(context, Client.Client)
        const get = () => limited.text(withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "status"))))
        yield* Effect.ignore(get())
        return yield* get()
      })
  },
  {
    name: "circuit open",
    tag: "CircuitOpen",
    run: (s) =>
      Effect.gen(function*() {
        // a client of its own whose breaker opens on the first failure (a 401 counts here)
        const guarded = yield* clientWith(
          Breaker.make({ consecutiveFailures: 1, breakDuration: "1 minute", isFailure: () => true })
        )
        const get = () => guarded.text(withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "status"))))
        yield* Effect.ignore(get())
        return yield* get()
      })
  },
  {
    name: "bulkhead full",
    tag: "BulkheadRejected",
    run: (s) =>
      Effect.gen(function*() {
        // a client of its own whose bulkhead holds one call and no queue: the first hangs, the second is refused
        const guarded = yield* clientWith(Bulkhead.make({ maxConcurrent: 1 }))
        const before = yield* s.hits("GET /k/hang")
        const hanging = yield* Effect.fork(
          guarded.text(withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "hang"))))
        )
        // the first call holds the bulkhead once it reached the server
        yield* eventually("the first call reached the server", () => Effect.runSync(s.hits("GET /k/hang")) > before)
        const refused = yield* Effect.exit(
          guarded.text(withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "status"))))
        )
        yield* Fiber.interrupt(hanging)
        return yield* refused
      })
  },
  {
    name: "header injection",
    tag: "InvalidRequest",
    run: (s) =>
      Effect.flatMap(Client.Client, (c) =>
        c.text(
          withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "large"))).pipe(
            HttpClientRequest.setHeader("x-bad", `${AUTH}\r\nx-injected: 1`)
          )
        ))
  },
  {
    name: "not json",
    tag: "DecodeError",
    run: (s) =>
      Effect.flatMap(Client.Client, (c) => c.json(withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "notJson")))))
  },
  {
    name: "execute, then the body is cut",
    tag: "ResponseError",
    run: (s) =>
      Effect.flatMap(
        Client.Client,
        (c) =>
          Effect.flatMap(c.execute(withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "midBody")))), (r) => r.text)
      )
  },
  {
    name: "the node layer's platform HttpClient, refused",
    tag: "RequestError",
    run: (s) =>
      Effect.flatMap(
        HttpClient.HttpClient,
        (c) => c.execute(withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "refused"))))
      )
  },
  {
    name: "the node layer's platform HttpClient, body cut",
    tag: "ResponseError",
    run: (s) =>
      Effect.flatMap(
        HttpClient.HttpClient,
        (c) =>
          Effect.flatMap(c.execute(withSecrets(HttpClientRequest.get(urlFor(s.urls.http, "midBody")))), (r) => r.text)
      )
  }
]

describe("regression: no secret in any rendering of an error", () => {
  it.scopedLive("every error kind, every rendering", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const direct = yield* Layer.build(nodeLayer(server))
      // ProxyError: through a CONNECT proxy that wants other credentials (407)
      const proxy = yield* connectProxy({ auth: "puser:the-right-password" })
      const proxied = yield* Layer.build(
        nodeLayer(server, { proxy: { url: `http://puser:${PROXY}@127.0.0.1:${proxy.port}` }, pool: {} })
      )
      const seen = new Set<string>()
      const problems: Array<string> = []
      for (const c of cases) {
        const spans: Array<Tracer.Span> = []
        const tracer = yield* recordingTracer(spans)
        const exit = yield* c.run(server).pipe(
          Effect.withSpan(`user ${c.name}`),
          Effect.withTracer(tracer),
          Effect.provide(c.proxied === true ? proxied : direct),
          Effect.exit
        )
        const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        // a platform error by its kind (Effect 4 has one HttpClientError with a reason)
        const tag = (error === undefined ? undefined : platformFields(error as object)?.kind) ??
          (error as { _tag?: string } | undefined)?._tag
        expect(tag, `${c.name}: ${String(error)}`).toBe(c.tag)
        seen.add(tag!)
        const renderings = { ...(yield* rendered(error)), ...spanRenderings(spans) }
        problems.push(...leaks(SECRETS, renderings).map((l) => `${c.name}: ${l}`))
        // the failure is still useful: it says what happened and where
        expect((error as Error).message).toContain("/k/")
      }
      // every tag of the taxonomy was built and rendered
      expect(Errors.tags.filter((t) => !seen.has(t))).toEqual([])
      // metric keys and labels
      problems.push(...leaks(SECRETS, { metrics: util.inspect(yield* metricKeys, { depth: 5 }) }))
      expect(problems).toEqual([])
    }), 30_000)
})
