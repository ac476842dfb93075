/**
 * TLS on real loopback listeners: the FaultServer's self-signed, expired,
 * wrong-host and handshake-failing listeners, and a local server that asks
 * for a client certificate.
 *
 * it.live: real TLS handshakes on real sockets.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "@steadfast/core/line/ConfigProvider"
import * as Effect from "@steadfast/core/line/Effect"
import { Certificates, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Layer, Redacted } from "effect"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as https from "node:https"
import type * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { NodeClient } from "../src/index.js"
import { buildClient, captureWarnings } from "./helpers.js"

const scenario = Scenario.make({ "GET /": Scenario.sequence([Reply.text(200, "hello")], { after: "repeat-last" }) })

const get = (url: string) => HttpClientRequest.get(`${url}/`)

describe("TLS", () => {
  it.scopedLive("self-signed: rejected as TlsError self-signed, accepted when its certificate is trusted", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const certs = yield* Certificates.make()
      const strict = yield* buildClient({ retry: { retries: 0 }, tls: { ca: server.ca } })
      const error = yield* Effect.flip(strict.client.text(get(server.urls.selfSigned)))
      expect(error._tag).toBe("TlsError")
      expect(error._tag === "TlsError" && error.reason).toBe("self-signed")
      expect(error._tag === "TlsError" && error.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT")
      // trusting the self-signed certificate itself: the handshake succeeds
      // (the listener answers 421 to whoever gets through)
      const trusting = yield* buildClient({ retry: { retries: 0 }, tls: { ca: certs.selfSigned.cert } })
      const status = yield* Effect.flip(trusting.client.text(get(server.urls.selfSigned)))
      expect(status._tag === "StatusError" && status.status).toBe(421)
    }))

  it.scopedLive("a CA-signed server: untrusted without the CA, trusted with it (PEM text or file)", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const bare = yield* buildClient({ retry: { retries: 0 } })
      const error = yield* Effect.flip(bare.client.text(get(server.urls.https)))
      expect(error._tag === "TlsError" && error.reason).toBe("untrusted")
      const withPem = yield* buildClient({ tls: { ca: server.ca } })
      expect(yield* withPem.client.text(get(server.urls.https))).toBe("hello")
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steadfast-tls-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const file = path.join(dir, "ca.pem")
      fs.writeFileSync(file, server.ca)
      const withFile = yield* buildClient({ tls: { ca: file } })
      expect(yield* withFile.client.text(get(server.urls.https))).toBe("hello")
      const withDefaults = yield* buildClient({ tls: { ca: file, includeDefaultCa: true } })
      expect(yield* withDefaults.client.text(get(server.urls.https))).toBe("hello")
    }))

  it.scopedLive("expired, wrong host, failed handshake", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const { client } = yield* buildClient({ retry: { retries: 0 }, tls: { ca: server.ca } })
      const expired = yield* Effect.flip(client.text(get(server.urls.expired)))
      expect(expired._tag === "TlsError" && [expired.reason, expired.code]).toEqual(["expired", "CERT_HAS_EXPIRED"])
      const wrongHost = yield* Effect.flip(client.text(get(server.urls.wrongHost)))
      expect(wrongHost._tag === "TlsError" && wrongHost.reason).toBe("hostname-mismatch")
      const handshake = yield* Effect.flip(client.text(get(server.urls.handshake)))
      expect(handshake._tag === "TlsError" && handshake.reason).toBe("handshake")
      // TLS failures are not retried by default: one attempt each
      expect([expired.attempts, wrongHost.attempts, handshake.attempts]).toEqual([1, 1, 1])
      // a servername the certificate covers makes the wrong-host one acceptable
      const named = yield* buildClient({ retry: { retries: 0 }, tls: { ca: server.ca, servername: "wrong.example" } })
      const accepted = yield* Effect.flip(named.client.text(get(server.urls.wrongHost)))
      expect(accepted._tag === "StatusError" && accepted.status).toBe(421)
    }))

  it.scopedLive("rejectUnauthorized: false is explicit and logs one warning", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const warnings = captureWarnings()
      const { client } = yield* buildClient({ retry: { retries: 0 }, tls: { rejectUnauthorized: false } }).pipe(
        Effect.provide(warnings.layer)
      )
      for (let i = 0; i < 2; i++) {
        const status = yield* Effect.flip(client.text(get(server.urls.selfSigned)))
        expect(status._tag === "StatusError" && status.status).toBe(421)
      }
      expect(warnings.messages.filter((m) => m.includes("verification is OFF"))).toHaveLength(1)
    }))

  it.scopedLive("NODE_TLS_REJECT_UNAUTHORIZED=0 is detected, warned about, and does not turn verification off", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const warnings = captureWarnings()
      const { client } = yield* buildClient({ retry: { retries: 0 } }).pipe(
        Effect.provide(warnings.layer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["NODE_TLS_REJECT_UNAUTHORIZED", "0"]])))
      )
      expect(warnings.messages.filter((m) => m.includes("NODE_TLS_REJECT_UNAUTHORIZED=0"))).toHaveLength(1)
      const error = yield* Effect.flip(client.text(get(server.urls.selfSigned)))
      expect(error._tag === "TlsError" && error.reason).toBe("self-signed")
    }))

  it.scopedLive("a client certificate (mutual TLS)", () =>
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      const server = https.createServer({
        cert: certs.localhost.cert,
        key: certs.localhost.key,
        ca: certs.ca.cert,
        // the test leaf is for serverAuth only, so the server asks for a
        // client certificate without verifying it, and says whose it got
        requestCert: true,
        rejectUnauthorized: false
      }, (req, res) => {
        const peer = (req.socket as unknown as { getPeerCertificate: () => { subject?: { CN?: string } } })
          .getPeerCertificate()
        res.end(`client: ${peer.subject?.CN ?? "none"}`)
      })
      const sockets = new Set<net.Socket>()
      server.on("connection", (s: net.Socket) => {
        sockets.add(s)
        s.on("close", () => sockets.delete(s))
      })
      const port = yield* Effect.acquireRelease(
        Effect.async<number>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as net.AddressInfo).port)))
        }),
        () =>
          Effect.async<void>((resume) => {
            for (const s of sockets) s.destroy()
            server.close(() => resume(Effect.void))
          })
      )
      const { client } = yield* buildClient({
        tls: { ca: certs.ca.cert, cert: certs.localhost.cert, key: Redacted.make(certs.localhost.key) }
      })
      const subject = new crypto.X509Certificate(certs.localhost.cert).subject.match(/CN=(.*)/)?.[1]
      expect(yield* client.text(get(`https://127.0.0.1:${port}`))).toBe(`client: ${subject}`)
      const anonymous = yield* buildClient({ tls: { ca: certs.ca.cert } })
      expect(yield* anonymous.client.text(get(`https://127.0.0.1:${port}`))).toBe("client: none")
    }))

  it.scopedLive("unusable TLS options fail the layer with InvalidPoolOptions", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(Layer.build(NodeClient.layer({ tls: { ca: "/nonexistent/ca.pem" } })))
      expect(missing._tag).toBe("InvalidPoolOptions")
      expect(missing.option).toBe("tls.ca")
      const certs = yield* Certificates.make()
      const half = yield* Effect.flip(Layer.build(NodeClient.layer({ tls: { cert: certs.localhost.cert } })))
      expect(half.option).toBe("tls.key")
      const garbage = yield* Effect.flip(
        Layer.build(
          NodeClient.layer({ tls: { ca: "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----" } })
        )
      )
      expect(garbage.option).toBe("tls.ca")
    }))
})
