/**
 * The test certificates: checked with Node's own X509 parser, then used in
 * real TLS handshakes on loopback (`it.live`: real sockets and the wall
 * clock, which TestClock cannot drive).
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, strictEqual } from "@effect/vitest/utils"
import * as Effect from "effect/Effect"
import { createPrivateKey, X509Certificate } from "node:crypto"
import * as net from "node:net"
import * as tls from "node:tls"
import * as Certificates from "../src/Certificates.js"

const x509 = (pem: string) => new X509Certificate(pem)

describe("Certificates", () => {
  it.live("generates the set once per process: generate() and make() return the same set", () =>
    Effect.gen(function*() {
      const first = yield* Effect.promise(() => Certificates.generate())
      const second = yield* Effect.promise(() => Certificates.generate())
      const third = yield* Certificates.make()
      assertTrue(first === second)
      assertTrue(first === third)
    }))

  it.live("every leaf's key matches its certificate, and all keys are ECDSA P-256", () =>
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      for (const [name, pair] of Object.entries(certs)) {
        assertTrue(pair.cert.startsWith("-----BEGIN CERTIFICATE-----"), name)
        const key = createPrivateKey(pair.key)
        strictEqual(key.asymmetricKeyType, "ec", name)
        strictEqual(key.asymmetricKeyDetails?.namedCurve, "prime256v1", name)
        assertTrue(x509(pair.cert).checkPrivateKey(key), name)
      }
    }))

  it.live("the CA is a CA; it signed localhost, expired and wrongHost, not selfSigned", () =>
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      const ca = x509(certs.ca.cert)
      assertTrue(ca.ca)
      for (const name of ["localhost", "expired", "wrongHost"] as const) {
        const leaf = x509(certs[name].cert)
        assertFalse(leaf.ca)
        assertTrue(leaf.checkIssued(ca), name)
        assertTrue(leaf.verify(ca.publicKey), name)
      }
      const selfSigned = x509(certs.selfSigned.cert)
      assertFalse(selfSigned.checkIssued(ca))
      // self-signed: its own issuer, signed by its own key
      strictEqual(selfSigned.issuer, selfSigned.subject)
      assertTrue(selfSigned.verify(selfSigned.publicKey))
      assertFalse(selfSigned.verify(ca.publicKey))
    }))

  it.live("names and validity: localhost and 127.0.0.1 on the valid leaves, wrong.example, expired in the past", () =>
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      const now = Date.now()
      const valid = (c: X509Certificate) => Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo)
      for (const name of ["ca", "localhost", "selfSigned", "wrongHost"] as const) {
        assertTrue(valid(x509(certs[name].cert)), name)
      }
      for (const name of ["localhost", "selfSigned", "expired"] as const) {
        const leaf = x509(certs[name].cert)
        strictEqual(leaf.subjectAltName, "DNS:localhost, IP Address:127.0.0.1", name)
        strictEqual(leaf.checkHost("localhost"), "localhost", name)
        strictEqual(leaf.checkIP("127.0.0.1"), "127.0.0.1", name)
      }
      const expired = x509(certs.expired.cert)
      assertTrue(Date.parse(expired.validTo) < now)
      const wrongHost = x509(certs.wrongHost.cert)
      strictEqual(wrongHost.subjectAltName, "DNS:wrong.example")
      strictEqual(wrongHost.checkHost("localhost"), undefined)
      strictEqual(wrongHost.checkIP("127.0.0.1"), undefined)
    }))

  it.live("Node's TLS trusts the localhost leaf through the CA and rejects the others with their codes", () =>
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      const handshake = (pair: Certificates.KeyPairPem, host: string) =>
        Effect.acquireUseRelease(
          Effect.promise(() =>
            new Promise<net.Server>((resolve) => {
              const server = tls.createServer({ cert: pair.cert, key: pair.key }, (socket) => socket.end())
              server.on("tlsClientError", () => {})
              server.listen(0, "127.0.0.1", () => resolve(server))
            })
          ),
          (server) =>
            Effect.promise(() =>
              new Promise<string>((resolve) => {
                const socket = tls.connect({
                  host: "127.0.0.1",
                  port: (server.address() as net.AddressInfo).port,
                  servername: host === "127.0.0.1" ? "" : host,
                  ca: certs.ca.cert
                })
                socket.once("secureConnect", () => {
                  socket.destroy()
                  resolve(socket.authorized ? "trusted" : "untrusted")
                })
                socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
              })
            ),
          (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
        )
      for (const host of ["127.0.0.1", "localhost"]) {
        strictEqual(yield* handshake(certs.localhost, host), "trusted", host)
        strictEqual(yield* handshake(certs.selfSigned, host), "DEPTH_ZERO_SELF_SIGNED_CERT", host)
        strictEqual(yield* handshake(certs.expired, host), "CERT_HAS_EXPIRED", host)
        strictEqual(yield* handshake(certs.wrongHost, host), "ERR_TLS_CERT_ALTNAME_INVALID", host)
      }
    }))
})
