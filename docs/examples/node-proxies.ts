/**
 * Proxies on the node pool: an explicit proxy with credentials (redacted
 * everywhere), CONNECT tunnels for http and https targets, a 407 and a dead
 * proxy as `ProxyError`, the opt-in fallback to a direct connection, and the
 * proxy variables of the environment. Runs on 127.0.0.1 only: a FaultServer,
 * a small CONNECT proxy (below) and a FaultProxy in front of it.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient, Pool } from "@steadfast/node"
import { FaultProxy, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { ConfigProvider, Effect, Logger, Metric, type Scope } from "effect"
import * as assert from "node:assert"
import * as net from "node:net"

const scenario = Scenario.make({ "GET /*": Scenario.sequence([Reply.text(200, "hello")], { after: "repeat-last" }) })

/**
 * A minimal CONNECT proxy on 127.0.0.1 that wants `Basic alice:s3cret` and
 * opens every tunnel to 127.0.0.1, whatever host was asked for (so the
 * example can name hosts that do not resolve: only the proxy sees them).
 */
const connectProxy: Effect.Effect<{ readonly port: number; readonly targets: Array<string> }, never, Scope.Scope> =
  Effect.acquireRelease(
    Effect.async<{ server: net.Server; sockets: Set<net.Socket>; port: number; targets: Array<string> }>((resume) => {
      const sockets = new Set<net.Socket>()
      const targets: Array<string> = []
      const track = (socket: net.Socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => socket.destroy())
      }
      const server = net.createServer((client) => {
        track(client)
        let head = Buffer.alloc(0)
        const onData = (data: Buffer) => {
          head = Buffer.concat([head, data])
          const end = head.indexOf("\r\n\r\n")
          if (end < 0) return
          client.off("data", onData)
          const lines = head.subarray(0, end).toString("latin1").split("\r\n")
          const [method, target = ""] = lines[0]!.split(" ")
          const auth = lines.find((l) => l.toLowerCase().startsWith("proxy-authorization:"))?.slice(20).trim()
          if (method !== "CONNECT") return client.end("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
          if (auth !== `Basic ${Buffer.from("alice:s3cret").toString("base64")}`) {
            return client.end("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
          }
          targets.push(target)
          const upstream = net.connect(Number(target.slice(target.lastIndexOf(":") + 1)), "127.0.0.1")
          track(upstream)
          upstream.on("connect", () => {
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
            upstream.write(head.subarray(end + 4))
            client.pipe(upstream).pipe(client)
          })
          upstream.on("close", () => client.destroy())
          client.on("close", () => upstream.destroy())
        }
        client.on("data", onData)
      })
      server.listen(
        0,
        "127.0.0.1",
        () => resume(Effect.succeed({ server, sockets, targets, port: (server.address() as net.AddressInfo).port }))
      )
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )

// region: explicit
// every request through the proxy, except hosts under .internal; the password
// never appears in an error, a log line or a span
const ViaProxy = (proxyUrl: string) =>
  NodeClient.layer({
    proxy: { url: proxyUrl, noProxy: ".internal, localhost" },
    retry: { retries: 0 }
  })
// endregion

// region: failures
// what went wrong at the proxy, never blamed on the target
const viaProxy = (url: string) =>
  Client.text(HttpClientRequest.get(url)).pipe(
    Effect.catchTag("ProxyError", (e) =>
      Effect.succeed(e.status === 407 ? "proxy wants credentials" : `proxy unreachable (${e.code})`))
  )
// endregion

// region: fallback
// an unreachable proxy (refused, reset, unreachable, unresolvable) is skipped for a
// direct connection: a warning the first time, and steadfast_proxy_fallbacks_total
const ProxyOrDirect = (proxyUrl: string) =>
  NodeClient.layer({ proxy: { url: proxyUrl, fallbackToDirect: true }, retry: { retries: 0 } })
// endregion

// region: env
// HTTP_PROXY, HTTPS_PROXY and NO_PROXY (or their lower-case forms), as curl reads them
const FromEnvironment = NodeClient.layerConfig() // STEADFAST_PROXY defaults to "env"
// endregion

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const proxy = yield* connectProxy
  // a FaultProxy in front of the proxy, to take it down later
  const link = yield* FaultProxy.make({ upstream: { host: "127.0.0.1", port: proxy.port } })
  const port = new URL(server.urls.http).port
  const good = `http://alice:s3cret@127.0.0.1:${link.port}`

  yield* Effect.gen(function*() {
    // an http target (a name only the proxy sees) and an https one, both in CONNECT tunnels
    assert.strictEqual(yield* Client.text(HttpClientRequest.get(`http://orders.example.test:${port}/a`)), "hello")
    assert.deepStrictEqual(proxy.targets, [`orders.example.test:${port}`])
    const pool = yield* Pool.Pool
    assert.strictEqual(pool.proxyFor(new URL("https://billing.example.test/"))?.port, link.port)
    assert.strictEqual(pool.proxyFor(new URL("http://db.internal:5984/")), undefined)
    // the proxy as errors and spans show it
    assert.strictEqual(pool.proxyFor(new URL("http://x.test/"))?.url.includes("s3cret"), false)
  }).pipe(Effect.provide(ViaProxy(good)))

  // https: TLS to the target runs inside the tunnel, verified as usual
  const secure = yield* Client.text(HttpClientRequest.get(`${server.urls.https}/tls`)).pipe(
    Effect.provide(NodeClient.layer({ proxy: { url: good }, tls: { ca: server.ca } }))
  )
  assert.strictEqual(secure, "hello")
  assert.strictEqual(proxy.targets[1], new URL(server.urls.https).host)
  const forged = yield* Effect.flip(Client.text(HttpClientRequest.get(`${server.urls.selfSigned}/`))).pipe(
    Effect.provide(NodeClient.layer({ proxy: { url: good }, tls: { ca: server.ca }, retry: { retries: 0 } }))
  )
  assert.strictEqual(forged._tag === "TlsError" && forged.reason, "self-signed")

  // wrong credentials: a ProxyError with status 407, not retried, the password redacted
  const denied = yield* Effect.flip(Client.text(HttpClientRequest.get(`${server.urls.http}/b`))).pipe(
    Effect.provide(NodeClient.layer({ proxy: { url: `http://alice:wrong@127.0.0.1:${link.port}` } }))
  )
  assert.strictEqual(denied._tag === "ProxyError" && denied.status, 407)
  assert.strictEqual(denied.attempts, 1)
  assert.strictEqual(denied.message.includes("wrong@"), false)
  assert.strictEqual(
    yield* viaProxy(`${server.urls.http}/b`).pipe(
      Effect.provide(ViaProxy(`http://alice:wrong@127.0.0.1:${link.port}`))
    ),
    "proxy wants credentials"
  )

  // the proxy goes away: a ProxyError, never a ConnectionRefused of the target
  yield* link.down
  assert.strictEqual(
    yield* viaProxy(`${server.urls.http}/c`).pipe(Effect.provide(ViaProxy(good))),
    "proxy unreachable (ECONNREFUSED)"
  )
  assert.strictEqual(yield* server.hits("GET /*"), 2)

  // fallback, when allowed: the request goes direct, with one warning and a metric
  const warnings: Array<string> = []
  const captureWarnings = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
  )
  const before = (yield* Metric.value(Pool.proxyFallbacks)).count
  yield* Effect.gen(function*() {
    assert.strictEqual(yield* Client.text(HttpClientRequest.get(`${server.urls.http}/d`)), "hello")
    assert.strictEqual(yield* Client.text(HttpClientRequest.get(`${server.urls.http}/e`)), "hello")
    yield* Effect.yieldNow() // the warning is logged from a fiber of its own
  }).pipe(Effect.provide(ProxyOrDirect(good)), Effect.provide(captureWarnings))
  assert.strictEqual((yield* Metric.value(Pool.proxyFallbacks)).count - before, 2)
  const fellBack = warnings.filter((w) => w.includes("sending the request directly"))
  assert.strictEqual(fellBack.length, 1)
  assert.strictEqual(fellBack[0]!.includes("s3cret"), false)
  yield* link.up

  // the environment's proxy; loopback targets never go through it
  yield* Effect.gen(function*() {
    const pool = yield* Pool.Pool
    assert.strictEqual(pool.proxyFor(new URL(`http://orders.example.test:${port}/`))?.port, link.port)
    assert.strictEqual(pool.proxyFor(new URL("http://reports.internal/")), undefined)
    assert.strictEqual(pool.proxyFor(new URL(`${server.urls.http}/`)), undefined)
    assert.strictEqual(yield* Client.text(HttpClientRequest.get(`http://orders.example.test:${port}/f`)), "hello")
  }).pipe(
    Effect.provide(FromEnvironment),
    Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map([["HTTP_PROXY", good], ["NO_PROXY", ".internal"], ["STEADFAST_RETRIES", "0"]]),
      { pathDelim: "_" }
    ))
  )
  assert.strictEqual(proxy.targets.at(-1), `orders.example.test:${port}`)
}).pipe(Effect.scoped, Effect.provide(FaultServer.layer(scenario)))
