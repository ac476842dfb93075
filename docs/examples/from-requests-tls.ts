/**
 * "Coming from requests": `verify=` and `cert=` as the pool's TLS options.
 * Run against the FaultServer's https listener, whose certificate is signed
 * by the testkit's CA: untrusted without it, verified with it.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect } from "effect"
import * as assert from "node:assert"

// region: tls
// requests.get(url)                                   # certifi's bundle
// requests.get(url, verify="/etc/ssl/internal-ca.pem")  # or REQUESTS_CA_BUNDLE=…
// requests.get(url, cert=("client.crt", "client.key"))
const PublicLive = NodeClient.layer() // Node's roots (NODE_EXTRA_CA_CERTS adds to them)
const InternalLive = (ca: string) => NodeClient.layer({ tls: { ca } }) // a file path, paths, or PEM text
const BothLive = (ca: string) => NodeClient.layer({ tls: { ca, includeDefaultCa: true } })
const MutualLive = NodeClient.layer({ tls: { cert: "/etc/ssl/client.crt", key: "/etc/ssl/client.key" } })
// verify=False is `tls: { rejectUnauthorized: false }`: written out, and logged as a warning
// endregion

const get = (url: string) =>
  Client.text(HttpClientRequest.get(url)).pipe(
    Effect.map((body) => `ok ${body}`),
    Effect.catchTag("TlsError", (e) => Effect.succeed(`TlsError (${e.reason})`))
  )

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const url = `${server.urls.https}/`
  // a private CA: unknown to Node's roots, SSLError in requests
  assert.strictEqual(yield* Effect.provide(get(url), PublicLive), "TlsError (untrusted)")
  assert.strictEqual(yield* Effect.provide(get(url), InternalLive(server.ca)), "ok hello")
  assert.strictEqual(yield* Effect.provide(get(url), BothLive(server.ca)), "ok hello")
  // a certificate file that cannot be read fails the layer, before any request
  const missing = yield* Effect.flip(Effect.provide(get(url), MutualLive))
  assert.ok(missing._tag === "InvalidPoolOptions" && missing.option === "tls.cert", missing.message)
}).pipe(
  Effect.provide(FaultServer.layer(Scenario.make({
    "GET /": Scenario.sequence([Reply.text(200, "hello")], { after: "repeat-last" })
  })))
)
