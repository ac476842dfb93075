/**
 * Proxies: the routing rules (pure, it.effect) and CONNECT tunnels through a
 * local proxy on loopback (it.live: real sockets). The test proxy sends every
 * tunnel to 127.0.0.1, so requests may name hosts that do not resolve: the
 * client never resolves a proxied host itself.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, Redact } from "@steadfast/core"
import * as ConfigProvider from "@steadfast/core/line/ConfigProvider"
import * as Effect from "@steadfast/core/line/Effect"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Layer, Metric } from "effect"
import { NodeClient, Pool, Proxy } from "../src/index.js"
import { ProxyConnectionError } from "../src/internal/proxyCause.js"
import { buildClient, captureWarnings, connectProxy, releasedPort } from "./helpers.js"

const scenario = Scenario.make({ "GET /*": Scenario.sequence([Reply.text(200, "hello")], { after: "repeat-last" }) })

const env = (vars: Partial<Proxy.Environment>): Proxy.Environment => ({
  httpProxy: undefined,
  httpsProxy: undefined,
  noProxy: undefined,
  ...vars
})

const route = (settings: Proxy.Settings | string, url: string) => {
  if (typeof settings === "string") throw new Error(settings)
  return Proxy.select(settings, new URL(url))?.href
}

describe("Proxy routing", () => {
  it.effect.each(
    [
      ["http target, HTTP_PROXY", "http://api.test/x", { httpProxy: "http://proxy:3128" }, "http://proxy:3128/"],
      [
        "https target falls back to HTTP_PROXY (undici)",
        "https://api.test/x",
        { httpProxy: "http://proxy:3128" },
        "http://proxy:3128/"
      ],
      [
        "https target, HTTPS_PROXY",
        "https://api.test/x",
        { httpProxy: "http://a:1", httpsProxy: "http://b:2" },
        "http://b:2/"
      ],
      ["bare host:port is http", "http://api.test/", { httpProxy: "proxy:8080" }, "http://proxy:8080/"],
      ["NO_PROXY exact host", "http://api.test/", { httpProxy: "http://p:1", noProxy: "api.test" }, undefined],
      ["NO_PROXY domain suffix", "http://a.b.internal/", { httpProxy: "http://p:1", noProxy: ".internal" }, undefined],
      ["NO_PROXY *.domain", "http://x.corp/", { httpProxy: "http://p:1", noProxy: "*.corp" }, undefined],
      [
        "NO_PROXY is not a substring match",
        "http://notinternal/",
        { httpProxy: "http://p:1", noProxy: "internal" },
        "http://p:1/"
      ],
      [
        "NO_PROXY with port: other port",
        "http://api.test:8080/",
        { httpProxy: "http://p:1", noProxy: "api.test:9090" },
        "http://p:1/"
      ],
      [
        "NO_PROXY with port: same port",
        "http://api.test:9090/",
        { httpProxy: "http://p:1", noProxy: "api.test:9090" },
        undefined
      ],
      ["NO_PROXY=*", "http://api.test/", { httpProxy: "http://p:1", noProxy: "*" }, undefined],
      ["loopback is direct in env mode", "http://127.0.0.1:8080/", { httpProxy: "http://p:1" }, undefined],
      ["localhost is direct in env mode", "http://localhost:8080/", { httpProxy: "http://p:1" }, undefined],
      ["no variables: direct", "http://api.test/", {}, undefined]
    ] as const
  )(
    "%s",
    ([_name, url, vars, expected]) =>
      Effect.sync(() => expect(route(Proxy.settings({ url: "env" }, env(vars)), url)).toBe(expected))
  )

  it.effect("an explicit url proxies loopback too, and honours noProxy", () =>
    Effect.sync(() => {
      const settings = Proxy.settings({ url: "http://u:p@127.0.0.1:3128", noProxy: ["skip.test"] }, env({}))
      expect(route(settings, "http://127.0.0.1:1/")).toBe("http://u:p@127.0.0.1:3128/")
      expect(route(settings, "http://skip.test/")).toBeUndefined()
      expect(route(Proxy.settings({ url: "none" }, env({ httpProxy: "http://p:1" })), "http://api.test/"))
        .toBeUndefined()
    }))

  it.effect("unusable proxy urls are refused, with credentials redacted", () =>
    Effect.sync(() => {
      const reason = Proxy.settings({ url: "socks5://user:hunter2@proxy:1080" }, env({}))
      expect(typeof reason).toBe("string")
      expect(reason).not.toContain("hunter2")
    }))

  it.effect("the proxy as the client reports it", () =>
    Effect.sync(() => {
      expect(Proxy.info(new URL("http://user:hunter2@[::1]:3128"))).toEqual({
        url: Redact.url("http://user:hunter2@[::1]:3128/"),
        host: "::1",
        port: 3128
      })
      expect(Proxy.info(new URL("https://proxy.corp")).port).toBe(443)
    }))

  it.effect("a dead proxy named by host name keeps its name for the classifier", () =>
    Effect.sync(() => {
      // what Node reports: the resolved address, not the proxy's name
      const refused = Object.assign(new Error("connect ECONNREFUSED 10.1.2.3:3128"), {
        code: "ECONNREFUSED",
        address: "10.1.2.3",
        port: 3128,
        syscall: "connect"
      })
      const wrapped = new ProxyConnectionError({ url: "http://proxy.corp:3128/", host: "proxy.corp", port: 3128 }, {
        code: "ECONNREFUSED",
        syscall: "connect"
      }, refused)
      expect([wrapped.code, wrapped.address, wrapped.port, wrapped.cause]).toEqual([
        "ECONNREFUSED",
        "proxy.corp",
        3128,
        refused
      ])
    }))
})

describe("Proxies on loopback", () => {
  it.scopedLive("CONNECT through a local proxy, to http and https targets", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const proxy = yield* connectProxy()
      const { client } = yield* buildClient({ proxy: { url: proxy.url }, tls: { ca: server.ca } })
      const port = new URL(server.urls.http).port
      // a name that does not resolve: only the proxy sees it
      expect(yield* client.text(HttpClientRequest.get(`http://backend.internal:${port}/a`))).toBe("hello")
      expect(yield* client.text(HttpClientRequest.get(`${server.urls.https}/b`))).toBe("hello")
      expect(proxy.targets()).toEqual([`backend.internal:${port}`, new URL(server.urls.https).host])
      expect(proxy.tunnels()).toBe(2)
    }))

  it.scopedLive("proxy credentials: sent from the url; a 407 is a ProxyError that shows no password", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const proxy = yield* connectProxy({ auth: "alice:s3cret" })
      const good = yield* buildClient({ proxy: { url: `http://alice:s3cret@127.0.0.1:${proxy.port}` } })
      expect(yield* good.client.text(HttpClientRequest.get(`${server.urls.http}/x`))).toBe("hello")
      const bad = yield* buildClient({
        retry: { retries: 0 },
        proxy: { url: `http://alice:wrong-pw@127.0.0.1:${proxy.port}`, fallbackToDirect: true }
      })
      const error = yield* Effect.flip(bad.client.text(HttpClientRequest.get(`${server.urls.http}/x`)))
      expect(error._tag).toBe("ProxyError")
      expect(error._tag === "ProxyError" && error.status).toBe(407)
      expect(error.message).not.toContain("wrong-pw")
      expect(error._tag === "ProxyError" && error.proxy).toBe(
        Redact.url(`http://alice:wrong-pw@127.0.0.1:${proxy.port}/`)
      )
      // a proxy that answers is never bypassed, fallback or not
      expect(yield* server.hits("GET /*")).toBe(1)
    }))

  it.scopedLive("a proxied request leaves the shared empty headers of later requests alone", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const proxy = yield* connectProxy()
      const { client } = yield* buildClient({ proxy: { url: proxy.url } })
      // built without headers: the request carries @effect/platform's shared Headers.empty
      const request = HttpClientRequest.get(`${server.urls.http}/x`)
      expect(yield* client.text(request)).toBe("hello")
      expect(request.headers).toEqual({})
      expect(HttpClientRequest.get("http://other.test/").headers).toEqual({})
    }))

  it.scopedLive("a Proxy-Authorization header on a proxied request is an InvalidRequest, sent nowhere", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const proxy = yield* connectProxy()
      const { client } = yield* buildClient({ proxy: { url: proxy.url } })
      const error = yield* Effect.flip(client.text(
        HttpClientRequest.get(`${server.urls.http}/x`).pipe(
          HttpClientRequest.setHeader("proxy-authorization", "Basic c2VjcmV0")
        )
      ))
      expect(error._tag).toBe("InvalidRequest")
      expect(error.attempts).toBe(1)
      expect(error.message).not.toContain("c2VjcmV0")
      expect(proxy.tunnels()).toBe(0)
      expect(yield* server.hits("GET /*")).toBe(0)
    }))

  it.scopedLive("a dead proxy is a ProxyError, not the target refusing", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const port = yield* releasedPort
      const { client } = yield* buildClient({
        retry: { retries: 0 },
        proxy: { url: `http://bob:hunter2@127.0.0.1:${port}` }
      })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${server.urls.http}/x`)))
      expect(error._tag).toBe("ProxyError")
      expect(error._tag === "ProxyError" && error.code).toBe("ECONNREFUSED")
      expect(error.message).not.toContain("hunter2")
      expect(yield* server.hits("GET /*")).toBe(0)
    }))

  it.scopedLive("fallbackToDirect: an unreachable proxy is bypassed, with a warning", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const port = yield* releasedPort
      const warnings = captureWarnings()
      const before = (yield* Metric.value(Pool.proxyFallbacks)).count
      const { client } = yield* buildClient({
        retry: { retries: 0 },
        proxy: { url: `http://bob:hunter2@127.0.0.1:${port}`, fallbackToDirect: true }
      })
      // the fallback is the client's decision: logged where the request runs
      const x = yield* Client.withHistory(client.text(HttpClientRequest.get(`${server.urls.http}/x`))).pipe(
        Effect.provide(warnings.layer)
      )
      expect(x[0]).toBe("hello")
      expect(x[1].map((h) => [h.tag, h.phase, h.decision, h.reason])).toEqual([
        ["ProxyError", "connecting", "resend", "proxy-fallback"],
        ["Success", "body", undefined, undefined]
      ])
      expect(yield* client.text(HttpClientRequest.get(`${server.urls.http}/y`)).pipe(Effect.provide(warnings.layer)))
        .toBe("hello")
      expect((yield* Metric.value(Pool.proxyFallbacks)).count - before).toBe(2)
      // the warning is logged once per client (later fallbacks at debug level)
      const logged = warnings.messages.filter((m) => m.includes("sending the request directly"))
      expect(logged).toHaveLength(1)
      expect(logged[0]).not.toContain("hunter2")
    }))

  it.scopedLive("HTTP_PROXY from the environment (through Config)", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const proxy = yield* connectProxy()
      const port = new URL(server.urls.http).port
      const context = yield* Layer.build(NodeClient.layerConfig()).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["HTTP_PROXY", proxy.url],
            ["NO_PROXY", "direct.internal"],
            ["STEADFAST_RETRIES", "0"]
          ]),
          { pathDelim: "_" }
        ))
      )
      const pool = yield* Effect.provide(Pool.Pool, context)
      expect(pool.proxyFor(new URL(`http://backend.internal:${port}/`))?.port).toBe(proxy.port)
      expect(pool.proxyFor(new URL(`http://direct.internal:${port}/`))).toBeUndefined()
      expect(pool.proxyFor(new URL(`${server.urls.http}/`))).toBeUndefined()
      const text = yield* NodeClient.make().pipe(
        Effect.flatMap((client) => client.text(HttpClientRequest.get(`http://backend.internal:${port}/z`))),
        Effect.provide(context)
      )
      expect(text).toBe("hello")
      expect(proxy.tunnels()).toBe(1)
    }))
})
