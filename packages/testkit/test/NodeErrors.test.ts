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
import type * as Scope from "effect/Scope"
import * as crypto from "node:crypto"
import type { webcrypto as WebCrypto } from "node:crypto"
import * as dgram from "node:dgram"
import * as dns from "node:dns"
import * as net from "node:net"
import * as tls from "node:tls"
import * as util from "node:util"
import * as undici from "undici"
import * as NodeErrors from "../src/NodeErrors.js"

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------

const normalizeMessage = (message: string): string => message.replace(/\b[0-9A-F]{8,}:error:/g, "<thread>:error:")

const normalizeValue = (key: string, value: unknown): unknown => {
  if (key === "socket" && value !== null && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, typeof (value as Record<string, unknown>)[k]]))
  }
  if (key === "cert") return typeof value
  if (key === "errors" && Array.isArray(value)) return value.map((e) => shapeOf(e))
  if (typeof value === "string") return normalizeMessage(value)
  return value
}

/**
 * Everything observable about an error: its prototype chain, name, message,
 * rendering, own properties (with enumerability), enumerable values (socket
 * details by type only) and, recursively, its cause.
 */
const shapeOf = (error: unknown): unknown => {
  if (!(error instanceof Error)) return { notAnError: typeof error }
  const chain: Array<string> = []
  for (let p = Object.getPrototypeOf(error); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    chain.push((p as { constructor: { name: string } }).constructor.name)
  }
  const record = error as unknown as Record<string, unknown>
  return {
    chain,
    name: error.name,
    message: normalizeMessage(error.message),
    string: normalizeMessage(String(error)),
    own: Reflect.ownKeys(error).filter((k) => k !== "stack").map((k) =>
      `${String(k)}${Object.getOwnPropertyDescriptor(error, k)!.enumerable ? "" : " (hidden)"}`
    ).sort(),
    keys: Object.keys(error),
    values: Object.fromEntries(Object.keys(error).map((k) => [k, normalizeValue(k, record[k])])),
    cause: "cause" in error ? shapeOf(error.cause) : "none"
  }
}

/** A shape with `code` replaced by a placeholder and the errno blanked, to compare errors of one family. */
const relabel = (shape: unknown, code: string): unknown =>
  JSON.parse(JSON.stringify(shape).replaceAll(code, "<CODE>").replace(/"errno":-?\d+/, "\"errno\":\"<n>\""))

const sameShape = (real: unknown, simulated: unknown, label: string) =>
  deepStrictEqual(shapeOf(simulated), shapeOf(real), label)

// ---------------------------------------------------------------------------
// Loopback helpers
// ---------------------------------------------------------------------------

const tcpHandles = () =>
  process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap" || r === "TLSWrap")
    .length

/** Runs a scoped test body, then checks that every TCP handle it opened is gone. */
const withNoLeaks = <E>(body: Effect.Effect<void, E, Scope.Scope>) =>
  Effect.gen(function*() {
    const before = tcpHandles()
    yield* Effect.scoped(body)
    // Closing is asynchronous: give the event loop a few turns to reap handles.
    for (let i = 0; i < 200 && tcpHandles() > before; i++) {
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    assertTrue(tcpHandles() <= before, `TCP handles left open: ${tcpHandles()} > ${before}`)
  })

interface Listening {
  readonly port: number
}

const closeServer = (server: net.Server, sockets: Set<net.Socket>) =>
  Effect.async<void>((resume) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resume(Effect.void))
  })

/** A TCP (or TLS) server on 127.0.0.1, port 0; its connections are destroyed when the scope closes. */
const serve = (
  make: (onConnection: (socket: net.Socket) => void) => net.Server,
  onConnection: (socket: net.Socket) => void
): Effect.Effect<Listening, never, Scope.Scope> => {
  const sockets = new Set<net.Socket>()
  const server = make((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => {})
    onConnection(socket)
  })
  server.on("tlsClientError", () => {})
  return Effect.acquireRelease(
    Effect.async<Listening>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ port: (server.address() as net.AddressInfo).port })))
    }),
    () => closeServer(server, sockets)
  )
}

const tcp = (onConnection: (socket: net.Socket) => void) => serve((handler) => net.createServer(handler), onConnection)

/** Answers every request (after its first bytes) with `onRequest`. */
const onFirstData = (onRequest: (socket: net.Socket) => void) => (socket: net.Socket) =>
  socket.once("data", () => onRequest(socket))

/** A port nothing listens on. */
const freePort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

const agent = (options: undici.Agent.Options = {}) =>
  Effect.acquireRelease(Effect.sync(() => new undici.Agent(options)), (a) => Effect.promise(() => a.destroy()))

/** The error a promise rejects with; fails the test if it resolves. */
const rejection = (run: () => Promise<unknown>): Effect.Effect<unknown> =>
  Effect.promise(() =>
    run().then(
      () => new Error("expected a failure, got a success") as unknown,
      (error: unknown) => ({ rejected: error })
    )
  ).pipe(Effect.map((r) => {
    if (r !== null && typeof r === "object" && "rejected" in r) return r.rejected
    throw r
  }))

const get = (url: string, dispatcher: undici.Dispatcher, options: { readonly readBody?: boolean } = {}) => () =>
  undici.request(url, { dispatcher }).then((r): Promise<unknown> => options.readBody ? r.body.text() : r.body.dump())

const fetchText = (url: string, init: { readonly dispatcher?: undici.Dispatcher } = {}) => () =>
  fetch(url, init as unknown as RequestInit).then((r) => r.text())

// ---------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------

describe("NodeErrors on real sockets", () => {
  it.live("refused: connect ECONNREFUSED, through undici.request and fetch", () =>
    withNoLeaks(Effect.gen(function*() {
      const port = yield* freePort
      const a = yield* agent()
      const expected = NodeErrors.refused({ address: "127.0.0.1", port })
      sameShape(yield* rejection(get(`http://127.0.0.1:${port}/`, a)), expected, "undici.request")
      sameShape(yield* rejection(fetchText(`http://127.0.0.1:${port}/`)), NodeErrors.fetchFailed(expected), "fetch")
      assertTrue((yield* rejection(get(`http://127.0.0.1:${port}/`, a))) instanceof Error)
    })))

  it.live("errno errors Node cannot be made to raise on loopback share ECONNREFUSED's shape", () =>
    withNoLeaks(Effect.gen(function*() {
      // ENETUNREACH, EHOSTUNREACH, EHOSTDOWN, ETIMEDOUT (connect) need a
      // route off this machine: they are built by the same Node function as
      // ECONNREFUSED (exceptionWithHostPort), so they must have its shape
      // with their own code, and the errno Node gives that code here.
      const port = yield* freePort
      const a = yield* agent()
      const real = (yield* rejection(get(`http://127.0.0.1:${port}/`, a))) as NodeErrors.SystemError
      const peer = { address: "127.0.0.1", port }
      for (
        const [code, make] of [
          ["ENETUNREACH", NodeErrors.networkUnreachable],
          ["EHOSTUNREACH", NodeErrors.hostUnreachable],
          ["EHOSTDOWN", NodeErrors.hostDown],
          ["ETIMEDOUT", NodeErrors.timedOut],
          ["EADDRNOTAVAIL", (p: NodeErrors.Peer) => NodeErrors.addressNotAvailable(p)]
        ] as const
      ) {
        const simulated = make(peer)
        strictEqual(util.getSystemErrorName(simulated.errno!), code)
        deepStrictEqual(relabel(shapeOf(simulated), code), relabel(shapeOf(real), "ECONNREFUSED"), code)
      }
      // EPROTO: Node >= 17 reports TLS failures as ERR_SSL_*; `write EPROTO`
      // is libuv's errno error with syscall "write", like `write EPIPE` below.
      strictEqual(util.getSystemErrorName(NodeErrors.eproto().errno!), "EPROTO")
      deepStrictEqual(
        relabel(shapeOf(NodeErrors.eproto()), "EPROTO"),
        relabel(shapeOf(NodeErrors.brokenPipe()), "EPIPE")
      )
    })))

  it.live("bind EADDRNOTAVAIL: a local address that is not on this machine (no packet leaves)", () =>
    withNoLeaks(Effect.gen(function*() {
      const port = yield* freePort
      const real = yield* rejection(() =>
        new Promise((resolve, reject) => {
          const socket = net.connect({ host: "127.0.0.1", port, localAddress: "192.0.2.1" })
          socket.on("error", reject)
          socket.on("connect", () => {
            socket.destroy()
            resolve(undefined)
          })
        })
      )
      sameShape(real, NodeErrors.addressNotAvailable({ address: "192.0.2.1" }, "bind"), "bind")
    })))

  it.live("happy eyeballs: every address refused gives an AggregateError with the first code", () =>
    withNoLeaks(Effect.gen(function*() {
      const port = yield* freePort
      // A lookup that returns two loopback addresses makes Node try both.
      const a = yield* agent({
        connect: {
          lookup: ((_host: string, options: { all?: boolean }, callback: (...args: Array<unknown>) => void) =>
            options.all
              ? callback(null, [{ address: "127.0.0.1", family: 4 }, { address: "127.0.0.2", family: 4 }])
              : callback(null, "127.0.0.1", 4)) as never
        }
      })
      const real = yield* rejection(get(`http://multi.test:${port}/`, a))
      sameShape(
        real,
        NodeErrors.allAddressesFailed([
          NodeErrors.refused({ address: "127.0.0.1", port }),
          NodeErrors.refused({ address: "127.0.0.2", port })
        ]),
        "aggregate"
      )
    })))

  it.live("reset before the response: read ECONNRESET", () =>
    withNoLeaks(Effect.gen(function*() {
      const { port } = yield* tcp(onFirstData((s) => s.resetAndDestroy()))
      const a = yield* agent()
      sameShape(yield* rejection(get(`http://127.0.0.1:${port}/`, a)), NodeErrors.reset(), "undici.request")
      sameShape(
        yield* rejection(fetchText(`http://127.0.0.1:${port}/`)),
        NodeErrors.fetchFailed(NodeErrors.reset()),
        "fetch"
      )
    })))

  it.live("closed before the response: SocketError other side closed", () =>
    withNoLeaks(Effect.gen(function*() {
      const { port } = yield* tcp(onFirstData((s) => s.end()))
      const a = yield* agent()
      const real = yield* rejection(get(`http://127.0.0.1:${port}/`, a))
      sameShape(real, NodeErrors.otherSideClosed(), "undici.request")
      assertTrue(NodeErrors.otherSideClosed() instanceof undici.errors.SocketError)
      assertTrue(real instanceof undici.errors.SocketError)
      strictEqual((real as undici.errors.SocketError).socket?.bytesRead, 0)
      sameShape(
        yield* rejection(fetchText(`http://127.0.0.1:${port}/`)),
        NodeErrors.fetchFailed(NodeErrors.otherSideClosed()),
        "fetch"
      )
    })))

  it.live("write EPIPE: writing to a socket the peer closed", () =>
    withNoLeaks(Effect.gen(function*() {
      const { port } = yield* tcp((s) => s.destroy())
      // Depending on timing the kernel reports EPIPE or ECONNRESET; try until EPIPE.
      let real: unknown = undefined
      for (let i = 0; i < 20 && (real as { code?: string } | undefined)?.code !== "EPIPE"; i++) {
        real = yield* rejection(() =>
          new Promise((resolve, reject) => {
            const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true })
            socket.on("error", reject)
            socket.on("connect", () => {
              const timer = setInterval(() => socket.write(Buffer.alloc(65536)), 2)
              socket.on("close", () => {
                clearInterval(timer)
                resolve(undefined)
              })
            })
          })
        )
      }
      sameShape(real, NodeErrors.brokenPipe(), "EPIPE")
    })))

  it.live("malformed response: HTTPParserError", () =>
    withNoLeaks(Effect.gen(function*() {
      const garbage = "SSH-2.0-OpenSSH_9.6\r\n\r\n"
      const { port } = yield* tcp(onFirstData((s) => s.end(garbage)))
      const a = yield* agent()
      const expected = NodeErrors.httpParser({ data: garbage })
      sameShape(yield* rejection(get(`http://127.0.0.1:${port}/`, a)), expected, "undici.request")
      assertTrue(expected instanceof undici.errors.HTTPParserError)
      sameShape(yield* rejection(fetchText(`http://127.0.0.1:${port}/`)), NodeErrors.fetchFailed(expected), "fetch")
    })))

  it.live("reset during the body: read ECONNRESET; fetch's body read rejects with terminated", () =>
    withNoLeaks(Effect.gen(function*() {
      const { port } = yield* tcp(onFirstData((s) => {
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n${"x".repeat(10)}`)
        setTimeout(() => s.resetAndDestroy(), 20)
      }))
      const a = yield* agent()
      sameShape(
        yield* rejection(get(`http://127.0.0.1:${port}/`, a, { readBody: true })),
        NodeErrors.reset(),
        "undici.request"
      )
      sameShape(
        yield* rejection(fetchText(`http://127.0.0.1:${port}/`)),
        NodeErrors.terminated(NodeErrors.reset()),
        "fetch"
      )
    })))

  it.live("truncated body: SocketError other side closed during the body", () =>
    withNoLeaks(Effect.gen(function*() {
      const { port } = yield* tcp(onFirstData((s) => {
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n${"x".repeat(10)}`)
        setTimeout(() => s.end(), 20)
      }))
      const a = yield* agent()
      const real = yield* rejection(get(`http://127.0.0.1:${port}/`, a, { readBody: true }))
      sameShape(real, NodeErrors.otherSideClosed({ bytesRead: 50 }), "undici.request")
      sameShape(
        yield* rejection(fetchText(`http://127.0.0.1:${port}/`)),
        NodeErrors.terminated(NodeErrors.otherSideClosed()),
        "fetch"
      )
    })))

  it.live("undici timeouts and limits: headers, body, max size, connect", () =>
    withNoLeaks(Effect.gen(function*() {
      const silent = yield* tcp(() => {})
      const stalled = yield* tcp(onFirstData((s) => s.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nxx")))
      const big = yield* tcp(
        onFirstData((s) => s.write(`HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n${"x".repeat(100)}`))
      )
      const timeouts = yield* agent({ headersTimeout: 50, bodyTimeout: 50, maxResponseSize: 10 })
      // A lookup that never answers holds the connect phase open on loopback.
      const port = yield* freePort
      const hanging = yield* agent({ connect: { timeout: 50, lookup: (() => {}) as never } })
      // undici's timers have a one-second resolution: provoke all at once.
      const [headers, body, tooLarge, connect] = yield* Effect.all([
        rejection(get(`http://127.0.0.1:${silent.port}/`, timeouts)),
        rejection(get(`http://127.0.0.1:${stalled.port}/`, timeouts, { readBody: true })),
        rejection(get(`http://127.0.0.1:${big.port}/`, timeouts, { readBody: true })),
        rejection(get(`http://localhost:${port}/`, hanging))
      ], { concurrency: "unbounded" })
      sameShape(headers, NodeErrors.headersTimeout(), "headers")
      sameShape(body, NodeErrors.bodyTimeout(), "body")
      sameShape(tooLarge, NodeErrors.responseExceededMaxSize(), "max size")
      sameShape(connect, NodeErrors.connectTimeout({ hostname: "localhost", port, timeoutMs: 50 }), "connect")
    })))
})

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
