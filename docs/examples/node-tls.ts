/**
 * TLS on the node pool: trusting a private CA, every certificate failure as
 * a `TlsError` with its reason, `servername`, a client certificate, and
 * verification that stays on unless you turn it off in code. Runs against
 * the FaultServer's TLS listeners on 127.0.0.1.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Certificates, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { ConfigProvider, Effect, Layer, Logger, Redacted } from "effect"
import * as assert from "node:assert"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const scenario = Scenario.make({ "GET /": Scenario.sequence([Reply.text(200, "hello")], { after: "repeat-last" }) })

/** Log lines at Warning level, to check what the pool says. */
const warnings: Array<string> = []
const captureWarnings = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ logLevel, message }) => {
    if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
)

// region: ca
// the CA of your internal services: a path to a PEM file (or PEM text);
// includeDefaultCa keeps Node's roots, for public servers next to internal ones
const InternalLive = (caFile: string) =>
  NodeClient.layer({ tls: { ca: caFile, includeDefaultCa: true }, retry: { retries: 0 } })
// endregion

// region: failures
// what a certificate problem looks like: a TlsError with a reason and the OpenSSL/Node code
const tlsCheck = (url: string) =>
  Client.text(HttpClientRequest.get(url)).pipe(
    Effect.as("ok"),
    Effect.catchTag("TlsError", (e) => Effect.succeed(`${e.reason} (${e.code})`))
  )
// endregion

// region: servername
// the certificate names wrong.example: check it against that name instead of the url's host
const PinnedName = (ca: string) => NodeClient.layer({ tls: { ca, servername: "wrong.example" }, retry: { retries: 0 } })
// endregion

// region: mtls
// mutual TLS: a client certificate and its key (PEM text or paths); keep the key Redacted
const MutualLive = (certs: Certificates.CertificateSet) =>
  NodeClient.layer({
    tls: { ca: certs.ca.cert, cert: certs.localhost.cert, key: Redacted.make(certs.localhost.key) }
  })
// endregion

// region: insecure
// accepts any certificate, an attacker's included: logs a warning when the pool is built
const Insecure = NodeClient.layer({ tls: { rejectUnauthorized: false }, retry: { retries: 0 } })
// endregion

// region: config
// STEADFAST_TLS_CA=/etc/ssl/internal-ca.pem,/etc/ssl/partner-ca.pem STEADFAST_TLS_INCLUDE_DEFAULT_CA=true
const FromEnvironment = NodeClient.layerConfig()
// endregion

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const { urls } = server
  const options = { proxy: { url: "none" as const }, retry: { retries: 0 } }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steadfast-docs-tls-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
  const caFile = path.join(dir, "ca.pem")
  fs.writeFileSync(caFile, server.ca)

  // trusting the test CA: a verified connection, and every failure with its reason
  yield* Effect.gen(function*() {
    assert.strictEqual(yield* tlsCheck(`${urls.https}/`), "ok")
    assert.strictEqual(yield* tlsCheck(`${urls.selfSigned}/`), "self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)")
    assert.strictEqual(yield* tlsCheck(`${urls.expired}/`), "expired (CERT_HAS_EXPIRED)")
    assert.strictEqual(yield* tlsCheck(`${urls.wrongHost}/`), "hostname-mismatch (ERR_TLS_CERT_ALTNAME_INVALID)")
    // OpenSSL names the alert by version: ERR_SSL_SSLV3_… on Node 20, ERR_SSL_SSL/TLS_… on Node 22
    assert.match(yield* tlsCheck(`${urls.handshake}/`), /^handshake \(ERR_SSL_[A-Z0-9/]+_ALERT_HANDSHAKE_FAILURE\)$/)
  }).pipe(Effect.provide(InternalLive(caFile)))

  // without it: the CA-signed server is untrusted
  const untrusted = yield* tlsCheck(`${urls.https}/`).pipe(Effect.provide(NodeClient.layer(options)))
  assert.strictEqual(untrusted, "untrusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)")

  // TLS failures are not retried: one attempt, even with retries on
  const once = yield* Effect.flip(Client.text(HttpClientRequest.get(`${urls.selfSigned}/`))).pipe(
    Effect.provide(NodeClient.layer({ proxy: { url: "none" }, retry: { retries: 3 } }))
  )
  assert.strictEqual(once.attempts, 1)

  // servername: the wrong-host certificate is accepted under the name it has
  // (that listener answers 421 to whoever gets through)
  const named = yield* Effect.flip(Client.text(HttpClientRequest.get(`${urls.wrongHost}/`))).pipe(
    Effect.provide(PinnedName(server.ca))
  )
  assert.strictEqual(named._tag === "StatusError" && named.status, 421)

  // a client certificate: the pool checks the pair when it is built
  const certs = yield* Certificates.make()
  yield* Layer.build(MutualLive(certs))
  const half = yield* Effect.flip(Layer.build(NodeClient.layer({ tls: { cert: certs.localhost.cert } })))
  assert.deepStrictEqual([half._tag, half.option], ["InvalidPoolOptions", "tls.key"])

  // verification off: the self-signed listener lets us through, with one warning
  warnings.length = 0
  const accepted = yield* Effect.flip(Client.text(HttpClientRequest.get(`${urls.selfSigned}/`))).pipe(
    Effect.provide(Insecure),
    Effect.provide(captureWarnings)
  )
  assert.strictEqual(accepted._tag === "StatusError" && accepted.status, 421)
  assert.strictEqual(warnings.filter((w) => w.includes("verification is OFF")).length, 1)

  // NODE_TLS_REJECT_UNAUTHORIZED=0 is noticed and does not turn verification off
  warnings.length = 0
  const stillChecked = yield* tlsCheck(`${urls.selfSigned}/`).pipe(
    Effect.provide(NodeClient.layer(options)),
    Effect.provide(captureWarnings),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["NODE_TLS_REJECT_UNAUTHORIZED", "0"]])))
  )
  assert.strictEqual(stillChecked, "self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)")
  assert.strictEqual(warnings.filter((w) => w.includes("NODE_TLS_REJECT_UNAUTHORIZED=0")).length, 1)

  // the CA from the environment: PEM text, or file paths separated by commas
  const fromEnv = yield* tlsCheck(`${urls.https}/`).pipe(
    Effect.provide(FromEnvironment),
    Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map([["STEADFAST_TLS_CA", `${caFile},${caFile}`], ["STEADFAST_PROXY", "none"]]),
      { pathDelim: "_" }
    ))
  )
  assert.strictEqual(fromEnv, "ok")
}).pipe(Effect.scoped, Effect.provide(FaultServer.layer(scenario)))
