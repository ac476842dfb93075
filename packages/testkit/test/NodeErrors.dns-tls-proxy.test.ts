/**
 * Each factory of NodeErrors is checked against the error Node or undici
 * really raises: the failure is provoked on loopback (refused port, servers
 * that RST, FIN, send garbage, stall, TLS servers with bad certificates, a
 * DNS server on 127.0.0.1, a proxy answering 407) through `undici.request`
 * and through the global `fetch`, and the shapes are compared. A Node or
 * undici upgrade that changes a shape fails here.
 *
 * These tests use `it.live`: they wait on real sockets, which virtual time
 * cannot drive. Every socket is opened on 127.0.0.1 and closed by the test's
 * scope; each test checks that no TCP handle is left when it ends.
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Errors } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as crypto from "node:crypto"
import type { webcrypto as WebCrypto } from "node:crypto"
import * as dgram from "node:dgram"
import * as dns from "node:dns"
import * as tls from "node:tls"
import * as util from "node:util"
import * as undici from "undici"
import * as NodeErrors from "../src/NodeErrors.js"
import {
  agent,
  fetchText,
  freePort,
  get,
  onFirstData,
  rejection,
  relabel,
  sameShape,
  serve,
  shapeOf,
  tcp,
  withNoLeaks
} from "./helpers/nodeErrors.js"

// ---------------------------------------------------------------------------
// DNS
// ---------------------------------------------------------------------------

/** A DNS server on 127.0.0.1 that answers every query with `rcode`, or never (`undefined`). */
const dnsServer = (rcode: number | undefined) =>
  Effect.acquireRelease(
    Effect.async<dgram.Socket>((resume) => {
      const socket = dgram.createSocket("udp4")
      socket.on("message", (message, peer) => {
        if (rcode === undefined) return
        const answer = Buffer.from(message)
        answer[2] = 0x81 // QR=1, RD=1
        answer[3] = 0x80 | rcode // RA=1, RCODE
        socket.send(answer, peer.port, peer.address)
      })
      socket.bind(0, "127.0.0.1", () => resume(Effect.succeed(socket)))
    }),
    (socket) =>
      Effect.async<void>((resume) => {
        socket.close(() => resume(Effect.void))
      })
  )

describe("NodeErrors for DNS", () => {
  it.live("getaddrinfo ENOTFOUND (a name glibc rejects without sending a query)", () =>
    withNoLeaks(Effect.gen(function*() {
      const a = yield* agent()
      sameShape(yield* rejection(get("http://-bad.test/", a)), NodeErrors.notFound("-bad.test"), "undici.request")
      sameShape(
        yield* rejection(fetchText("http://-bad.test/")),
        NodeErrors.fetchFailed(NodeErrors.notFound("-bad.test")),
        "fetch"
      )
      // EAI_AGAIN needs an unreachable resolver: same builder (dnsException), libuv's own code.
      strictEqual(util.getSystemErrorName(NodeErrors.dnsTemporary("x").errno!), "EAI_AGAIN")
      deepStrictEqual(
        relabel(shapeOf(NodeErrors.dnsTemporary("-bad.test")), "EAI_AGAIN"),
        relabel(shapeOf(yield* rejection(get("http://-bad.test/", a))), "ENOTFOUND")
      )
    })))

  it.live.each(
    [
      ["ESERVFAIL", 2, NodeErrors.dnsServerFailure],
      ["EREFUSED", 5, NodeErrors.dnsRefused],
      ["ETIMEOUT", undefined, NodeErrors.dnsTimeout]
    ] as const
  )("c-ares %s from a DNS server on 127.0.0.1", ([_code, rcode, make]) =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* dnsServer(rcode)
      const resolver = new dns.promises.Resolver({ timeout: 50, tries: 1 })
      resolver.setServers([`127.0.0.1:${server.address().port}`])
      sameShape(yield* rejection(() => resolver.resolve4("example.test")), make("example.test"), "A")
      sameShape(yield* rejection(() => resolver.resolve6("example.test")), make("example.test", "AAAA"), "AAAA")
    })))
})

// ---------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------

const makePki = Effect.promise(async () => {
  // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill first.
  await import("reflect-metadata")
  const x509 = await import("@peculiar/x509")
  const webcrypto = crypto.webcrypto
  x509.cryptoProvider.set(webcrypto)
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" }
  const day = 86_400_000
  const now = Date.now()
  const keys = () => webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]) as Promise<WebCrypto.CryptoKeyPair>
  const pemKey = async (k: WebCrypto.CryptoKey) =>
    x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", k), "PRIVATE KEY")
  interface Issued {
    readonly keys: WebCrypto.CryptoKeyPair
    readonly cert: InstanceType<typeof x509.X509Certificate>
  }
  const caExtensions = async (k: WebCrypto.CryptoKeyPair) => [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(k.publicKey)
  ]
  const ca = async (name: string, issuer?: Issued): Promise<Issued> => {
    const k = await keys()
    const validity = { notBefore: new Date(now - day), notAfter: new Date(now + day) }
    const cert = issuer === undefined
      ? await x509.X509CertificateGenerator.createSelfSigned({
        name: `CN=${name}`,
        keys: k,
        signingAlgorithm: alg,
        ...validity,
        extensions: await caExtensions(k)
      })
      : await x509.X509CertificateGenerator.create({
        subject: `CN=${name}`,
        issuer: issuer.cert.subject,
        publicKey: k.publicKey,
        signingKey: issuer.keys.privateKey,
        signingAlgorithm: alg,
        ...validity,
        extensions: await caExtensions(k)
      })
    return { keys: k, cert }
  }
  const leaf = async (host: string, issuer?: Issued, expired = false): Promise<Issued> => {
    const k = await keys()
    const validity = expired
      ? { notBefore: new Date(now - 10 * day), notAfter: new Date(now - day) }
      : { notBefore: new Date(now - day), notAfter: new Date(now + day) }
    const extensions = [
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: host }]),
      new x509.ExtendedKeyUsageExtension(["1.3.6.1.5.5.7.3.1"])
    ]
    const cert = issuer === undefined
      ? await x509.X509CertificateGenerator.createSelfSigned({
        name: `CN=${host}`,
        keys: k,
        signingAlgorithm: alg,
        ...validity,
        extensions
      })
      : await x509.X509CertificateGenerator.create({
        subject: `CN=${host}`,
        issuer: issuer.cert.subject,
        publicKey: k.publicKey,
        signingKey: issuer.keys.privateKey,
        signingAlgorithm: alg,
        ...validity,
        extensions
      })
    return { keys: k, cert }
  }
  const root = await ca("steadfast test root")
  const intermediate = await ca("steadfast test intermediate", root)
  const serverOptions = async (chain: ReadonlyArray<Issued>, key: Issued): Promise<tls.TlsOptions> => ({
    cert: chain.map((c) => c.cert.toString("pem")).join("\n"),
    key: await pemKey(key.keys.privateKey)
  })
  return { root, intermediate, ca, leaf, serverOptions, rootPem: root.cert.toString("pem") }
})

const tlsServer = (options: tls.TlsOptions) =>
  serve(
    (handler) => tls.createServer(options, handler),
    (s) => s.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
  )

describe("NodeErrors for TLS", () => {
  it.live("certificate and handshake failures, through undici.request and fetch", () =>
    withNoLeaks(Effect.gen(function*() {
      const pki = yield* makePki
      const cases: ReadonlyArray<{
        readonly label: string
        readonly server: () => Promise<tls.TlsOptions>
        readonly trust?: string
        readonly expected: Error
      }> = [
        {
          label: "self-signed",
          server: async () => {
            const l = await pki.leaf("localhost")
            return pki.serverOptions([l], l)
          },
          expected: NodeErrors.selfSigned()
        },
        {
          label: "self-signed in chain",
          server: async () => {
            const l = await pki.leaf("localhost", pki.root)
            return pki.serverOptions([l, pki.root], l)
          },
          expected: NodeErrors.selfSignedInChain()
        },
        {
          label: "expired",
          server: async () => {
            const l = await pki.leaf("localhost", pki.root, true)
            return pki.serverOptions([l], l)
          },
          trust: pki.rootPem,
          expected: NodeErrors.certExpired()
        },
        {
          label: "hostname mismatch",
          server: async () => {
            const l = await pki.leaf("other.test", pki.root)
            return pki.serverOptions([l], l)
          },
          trust: pki.rootPem,
          expected: NodeErrors.altnameInvalid({ host: "localhost", altnames: "DNS:other.test" })
        },
        {
          label: "leaf without its issuer",
          server: async () => {
            const l = await pki.leaf("localhost", pki.root)
            return pki.serverOptions([l], l)
          },
          expected: NodeErrors.unableToVerifyLeaf()
        },
        {
          label: "issuer not trusted locally",
          server: async () => {
            const l = await pki.leaf("localhost", pki.intermediate)
            return pki.serverOptions([l, pki.intermediate], l)
          },
          expected: NodeErrors.unableToGetIssuerLocally()
        }
      ]
      for (const c of cases) {
        const { port } = yield* tlsServer(yield* Effect.promise(c.server))
        const a = yield* agent({ connect: c.trust === undefined ? {} : { ca: c.trust } })
        const url = `https://localhost:${port}/`
        sameShape(yield* rejection(get(url, a)), c.expected, `${c.label} (undici.request)`)
        sameShape(
          yield* rejection(fetchText(url, { dispatcher: a })),
          NodeErrors.fetchFailed(c.expected),
          `${c.label} (fetch)`
        )
      }
      // https:// on a port that speaks plain http
      const plain = yield* tcp(onFirstData((s) => s.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")))
      const a = yield* agent()
      sameShape(yield* rejection(get(`https://127.0.0.1:${plain.port}/`, a)), NodeErrors.handshake(), "wrong version")
      // no TLS version in common
      const l = yield* Effect.promise(() => pki.leaf("localhost", pki.root))
      const modern = yield* tlsServer({
        ...(yield* Effect.promise(() => pki.serverOptions([l], l))),
        minVersion: "TLSv1.3"
      })
      const old = yield* agent({ connect: { ca: pki.rootPem, maxVersion: "TLSv1.2" } })
      sameShape(
        yield* rejection(get(`https://localhost:${modern.port}/`, old)),
        NodeErrors.handshake("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION"),
        "protocol version"
      )
      // no cipher suite in common: an ECDSA key offered only an RSA-authenticated suite, TLS <= 1.2
      const noCipher = yield* tlsServer({
        ...(yield* Effect.promise(() => pki.serverOptions([l], l))),
        ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
        maxVersion: "TLSv1.2"
      })
      sameShape(
        yield* rejection(get(`https://localhost:${noCipher.port}/`, old)),
        NodeErrors.handshake("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE"),
        "handshake failure"
      )
    })))
})

// ---------------------------------------------------------------------------
// Proxies
// ---------------------------------------------------------------------------

describe("NodeErrors for proxies", () => {
  it.live("undici ProxyAgent: 407 to CONNECT, 407 when forwarding, proxy down", () =>
    withNoLeaks(Effect.gen(function*() {
      const proxy = yield* tcp(onFirstData((s) =>
        s.end(
          "HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm=\"x\"\r\ncontent-length: 0\r\n\r\n"
        )
      ))
      const proxyUrl = `http://127.0.0.1:${proxy.port}`
      const tunnel = yield* Effect.acquireRelease(
        Effect.sync(() => new undici.ProxyAgent(proxyUrl)),
        (a) => Effect.promise(() => a.destroy())
      )
      sameShape(yield* rejection(get("http://target.test/", tunnel)), NodeErrors.proxyAuthRequired(), "tunnel")
      sameShape(
        yield* rejection(fetchText("http://target.test/", { dispatcher: tunnel })),
        NodeErrors.fetchFailed(NodeErrors.proxyAuthRequired()),
        "tunnel (fetch)"
      )
      const forward = yield* Effect.acquireRelease(
        Effect.sync(() => new undici.ProxyAgent({ uri: proxyUrl, proxyTunnel: false })),
        (a) => Effect.promise(() => a.destroy())
      )
      sameShape(
        yield* rejection(get("http://target.test/", forward)),
        NodeErrors.proxyAuthRequired({ tunnel: false }),
        "forward"
      )
      const port = yield* freePort
      const down = yield* Effect.acquireRelease(
        Effect.sync(() => new undici.ProxyAgent(`http://127.0.0.1:${port}`)),
        (a) => Effect.promise(() => a.destroy())
      )
      sameShape(
        yield* rejection(get("https://target.test/", down)),
        NodeErrors.proxyDown({ address: "127.0.0.1", port }),
        "down"
      )
    })))
})

// ---------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------

describe("NodeErrors.catalog", () => {
  it("has unique names, codes that match the errors, and steadfast tags", () => {
    const names = new Set(NodeErrors.catalog.map((e) => e.name))
    strictEqual(names.size, NodeErrors.catalog.length)
    for (const entry of NodeErrors.catalog) {
      const error = entry.make()
      assertTrue(error instanceof Error, entry.name)
      strictEqual((error as { code?: string }).code, entry.code, entry.name)
      assertTrue(Errors.tags.includes(entry.tag), `${entry.name}: ${entry.tag}`)
      assertTrue(entry.description.length > 10, entry.name)
    }
  })
})
