/**
 * Small loopback servers for what the testkit's FaultServer does not do: a
 * server scripted per connection (stale keep-alive sockets), and a CONNECT
 * proxy. Everything listens on 127.0.0.1, port 0, and is torn down by the
 * test's scope.
 */
import { captureLogs } from "#line/logCapture"
import type { HttpClient } from "@effect/platform"
import { Client, type Errors } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import { type Context, Layer, type Scope } from "effect"
import * as net from "node:net"
import * as tls from "node:tls"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { Worker } from "node:worker_threads"
import { NodeClient, type Pool } from "../src/index.js"

/** A parsed request head. */
export interface Head {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
}

/** What the scripted server does with the n-th request (0-based) of a connection. */
export type Script = (socket: net.Socket, head: Head, index: number, connection: number) => void

export interface RawServer {
  readonly url: string
  readonly port: number
  /** Connections that reached the script (with TLS: completed the handshake). */
  readonly connections: () => number
  /** TCP connections accepted so far (with TLS: whether or not the handshake completed). */
  readonly accepted: () => number
  /** Requests read so far. */
  readonly requests: () => number
  /** Sockets still open on the server side. */
  readonly openSockets: () => number
}

export const ok = (socket: net.Socket, body = "ok", extra = "") =>
  socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`)

/**
 * A TCP server (TLS with `tls`) on 127.0.0.1, port 0, whose sockets
 * (accepted, and any the handler passes to `track`) are destroyed when the
 * scope closes; `state` builds what the test sees from the port, the open
 * sockets and the TCP connections accepted.
 */
const tcpServer = <S>(
  onConnection: (socket: net.Socket, track: (socket: net.Socket) => void) => void,
  state: (port: number, openSockets: () => number, accepted: () => number) => S,
  options?: { readonly tls?: { readonly key: string; readonly cert: string } }
): Effect.Effect<S, never, Scope.Scope> => {
  const sockets = new Set<net.Socket>()
  let accepted = 0
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => {})
  }
  return Effect.acquireRelease(
    Effect.async<{ server: net.Server; state: S }>((resume) => {
      // the TCP socket is tracked on "connection" (under TLS, the TLS socket is not counted again)
      const handler = (socket: net.Socket) => {
        socket.on("error", () => {})
        onConnection(socket, track)
      }
      const server = options?.tls === undefined ? net.createServer(handler) : tls.createServer(options.tls, handler)
      // every TCP connection, TLS handshake or not
      server.on("connection", (socket: net.Socket) => {
        accepted++
        track(socket)
      })
      server.on("tlsClientError", () => {})
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({ server, state: state(port, () => sockets.size, () => accepted) }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))
}

/**
 * A minimal HTTP/1.1 server (HTTPS with `tls`) that calls `script` for each
 * request (bodies are read by content-length and dropped). `openSockets`
 * counts TCP sockets.
 */
export const rawServer = (
  script: Script,
  options?: { readonly tls?: { readonly key: string; readonly cert: string } }
): Effect.Effect<RawServer, never, Scope.Scope> => {
  let connections = 0
  let requests = 0
  return tcpServer(
    (socket) => {
      const connection = connections++
      let buffer = Buffer.alloc(0)
      let index = 0
      let skip = 0
      socket.on("data", (data) => {
        buffer = Buffer.concat([buffer, data])
        while (true) {
          if (skip > 0) {
            const n = Math.min(skip, buffer.length)
            buffer = buffer.subarray(n)
            skip -= n
            if (skip > 0) return
          }
          const end = buffer.indexOf("\r\n\r\n")
          if (end < 0) return
          const lines = buffer.subarray(0, end).toString("latin1").split("\r\n")
          buffer = buffer.subarray(end + 4)
          const [method = "", path = ""] = lines[0]!.split(" ")
          const headers: Record<string, string> = {}
          for (const line of lines.slice(1)) {
            const colon = line.indexOf(":")
            headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
          }
          skip = Number(headers["content-length"] ?? 0)
          requests++
          script(socket, { method, path, headers }, index++, connection)
        }
      })
    },
    (port, openSockets, accepted) => ({
      url: `${options?.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
      port,
      connections: () => connections,
      accepted,
      requests: () => requests,
      openSockets
    }),
    options
  )
}

export interface ConnectProxy {
  readonly url: string
  readonly port: number
  /** CONNECT requests answered with 200. */
  readonly tunnels: () => number
  /** The hosts CONNECT asked for, in order. */
  readonly targets: () => ReadonlyArray<string>
  readonly openSockets: () => number
}

/**
 * A CONNECT proxy that sends every tunnel to 127.0.0.1 (whatever host was
 * asked for, so tests can use names that do not resolve) and, with `auth`,
 * answers 407 unless `proxy-authorization` is `Basic base64(auth)`.
 */
export const connectProxy = (options?: { readonly auth?: string }): Effect.Effect<ConnectProxy, never, Scope.Scope> => {
  const targets: Array<string> = []
  let tunnels = 0
  const expected = options?.auth === undefined ? undefined : `Basic ${Buffer.from(options.auth).toString("base64")}`
  return tcpServer(
    (client, track) => {
      let buffer = Buffer.alloc(0)
      const onData = (data: Buffer) => {
        buffer = Buffer.concat([buffer, data])
        const end = buffer.indexOf("\r\n\r\n")
        if (end < 0) return
        client.off("data", onData)
        const lines = buffer.subarray(0, end).toString("latin1").split("\r\n")
        const rest = buffer.subarray(end + 4)
        const [method, target = ""] = lines[0]!.split(" ")
        const auth = lines.find((l) => l.toLowerCase().startsWith("proxy-authorization:"))?.slice(20).trim()
        targets.push(target)
        if (method !== "CONNECT") {
          client.end("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
          return
        }
        if (expected !== undefined && auth !== expected) {
          client.end(
            "HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm=\"test\"\r\ncontent-length: 0\r\n\r\n"
          )
          return
        }
        const port = Number(target.slice(target.lastIndexOf(":") + 1))
        const upstream = net.connect(port, "127.0.0.1")
        track(upstream)
        upstream.on("connect", () => {
          tunnels++
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
          if (rest.length > 0) upstream.write(rest)
          client.pipe(upstream)
          upstream.pipe(client)
        })
        upstream.on("error", () => client.destroy())
        upstream.on("close", () => client.destroy())
        client.on("close", () => upstream.destroy())
      }
      client.on("data", onData)
    },
    (port, openSockets) => ({
      url: `http://127.0.0.1:${port}`,
      port,
      tunnels: () => tunnels,
      targets: () => targets,
      openSockets
    })
  )
}

/** A port that was bound, then released: connecting to it is refused. */
export const releasedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/**
 * A loopback port where TCP connects never complete (the testkit's
 * FaultServer has one inside; this is the same trick, as a port): a worker
 * thread listens with a backlog of 1 and blocks its event loop, so nothing
 * is accepted; once filler connections fill the accept queue the kernel
 * drops every SYN. `verified` is false on a kernel that accepts anyway.
 */
export const blackHole: Effect.Effect<{ readonly port: number; readonly verified: boolean }, never, Scope.Scope> =
  Effect.acquireRelease(
    Effect.promise(async () => {
      const flag = new SharedArrayBuffer(4)
      const worker = new Worker(
        `const { parentPort, workerData } = require("node:worker_threads")
        const server = require("node:net").createServer(() => {})
        server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
          parentPort.postMessage(server.address().port)
          Atomics.wait(new Int32Array(workerData), 0, 0)
          server.close()
          process.exit(0)
        })`,
        { eval: true, workerData: flag }
      )
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()))
      const port = await new Promise<number>((resolve) => worker.once("message", resolve))
      const fillers: Array<net.Socket> = []
      let verified = false
      for (let i = 0; i < 6 && !verified; i++) {
        const socket = net.connect({ host: "127.0.0.1", port })
        socket.on("error", () => {})
        fillers.push(socket)
        verified = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), 100)
          socket.once("connect", () => {
            clearTimeout(timer)
            resolve(false)
          })
        })
      }
      const close = async () => {
        const view = new Int32Array(flag)
        Atomics.store(view, 0, 1)
        Atomics.notify(view, 0)
        for (const socket of fillers) socket.destroy()
        await exited
      }
      return { port, verified, close }
    }),
    ({ close }) => Effect.promise(close)
  )

/**
 * Waits (wall clock, at most `timeoutMs`) until `check` holds; fails with
 * `what` otherwise. For real sockets, whose teardown is asynchronous.
 */
export const eventually = (what: string, check: () => boolean, timeoutMs = 1000): Effect.Effect<void, Error> =>
  Effect.gen(function*() {
    const attempts = Math.ceil(timeoutMs / 10)
    for (let i = 0; i < attempts; i++) {
      if (check()) return
      yield* Effect.sleep("10 millis")
    }
    if (!check()) return yield* Effect.fail(new Error(`not within ${timeoutMs} ms: ${what}`))
  })

/** The client and the context of a node client layer, built in the test's scope. */
export const buildClient = (options: NodeClient.Options): Effect.Effect<
  {
    readonly client: Client.ResilientClient
    readonly context: Context.Context<Client.Client | HttpClient.HttpClient | Pool.Pool>
  },
  Pool.InvalidPoolOptions | Errors.InvalidOptions,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeClient.layer({ proxy: { url: "none" }, ...options }))
    return { client: Client.Client.pipe(Effect.provide(context), Effect.runSync), context }
  })

/** Collects log messages at Warning level and above. */
export const captureWarnings = () => {
  const messages: Array<string> = []
  const layer = captureLogs((text, level) => {
    if (level === "Warning" || level === "Error" || level === "Fatal") messages.push(text)
  })
  return { messages, layer }
}

let gcFn: (() => void) | undefined
/** V8's `gc()`, exposed on first use (only the memory tests need it). */
const gc = () => {
  if (gcFn === undefined) {
    v8.setFlagsFromString("--expose-gc")
    gcFn = vm.runInNewContext("gc") as () => void
  }
  gcFn()
}

/** Peak of heap + array buffers (sampled every 2 ms) while `effect` runs, above the level before it. */
export const peakOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    gc()
    const used = () => {
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers
    }
    const before = used()
    let peak = before
    const timer = setInterval(() => {
      peak = Math.max(peak, used())
    }, 2)
    const result = yield* Effect.ensuring(effect, Effect.sync(() => clearInterval(timer)))
    peak = Math.max(peak, used())
    return { result, peak: peak - before }
  })
