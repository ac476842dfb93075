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
import * as Effect from "effect/Effect"
import * as net from "node:net"
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
  shapeOf,
  tcp,
  withNoLeaks
} from "./helpers/nodeErrors.js"

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
