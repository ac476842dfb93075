/**
 * "Coming from requests": `proxies=` and the fall back to a direct
 * connection that a `try`/`except ProxyError` writes by hand. The proxy here
 * is a port where nothing listens; the target is a FaultServer.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect, Logger } from "effect"
import * as assert from "node:assert"

// region: proxy
// proxies = {"http": proxy, "https": proxy}
// try:
//     r = requests.get(url, proxies=proxies)
// except requests.exceptions.ProxyError:
//     r = requests.get(url)                      # fall back to a direct connection
const ViaProxyLive = (proxy: string) =>
  NodeClient.layer({
    proxy: {
      url: proxy, // "env" (the default) reads HTTP_PROXY / HTTPS_PROXY / NO_PROXY, as trust_env does
      noProxy: ["localhost", ".internal.example"], // NO_PROXY
      fallbackToDirect: true // opt in: it can send traffic a policy meant for the proxy
    }
  })
// endregion

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const deadProxy = server.urls.refused
  const get = Client.text(HttpClientRequest.get(`${server.urls.http}/`))
  const warnings: Array<string> = []
  const capture = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => warnings.push(String(message))))
  // the proxy refuses: the request goes direct, and a warning says so
  assert.strictEqual(yield* get.pipe(Effect.provide(ViaProxyLive(deadProxy)), Effect.provide(capture)), "direct")
  assert.ok(warnings.some((w) => /direct/i.test(w)), warnings.join("\n"))
  // without the fallback it is a ProxyError, never a ConnectionRefused of the target
  const strict = NodeClient.layer({ proxy: { url: deadProxy }, retry: { retries: 0 } })
  assert.strictEqual((yield* Effect.flip(Effect.provide(get, strict)))._tag, "ProxyError")
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /": Scenario.sequence([Reply.text(200, "direct")], { after: "repeat-last" })
  })))
)
