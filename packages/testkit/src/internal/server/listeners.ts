/**
 * The FaultServer's listeners on 127.0.0.1: plain and TLS, each serving its
 * role, with every accepted socket tracked so the server can check and
 * close them.
 *
 * @internal
 */
import * as net from "node:net"
import * as tls from "node:tls"
import { type Conn, LOOPBACK, type Role, serve, type ServerState } from "./wire.js"

const noop = () => {}

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen({ host: LOOPBACK, port: 0 }, () => {
      server.off("error", reject)
      resolve((server.address() as net.AddressInfo).port)
    })
  })

const closeServer = (server: net.Server): Promise<void> =>
  new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
  })

/** Resolves once the socket has emitted `close`. */
export const socketClosed = (socket: net.Socket): Promise<void> =>
  new Promise((resolve) => {
    if (socket.closed) return resolve()
    socket.once("close", () => resolve())
  })

/** A port that was bound, then released: connecting to it is refused. */
export const closedPort = async (): Promise<number> => {
  const server = net.createServer()
  const port = await listen(server)
  await closeServer(server)
  return port
}

/** Every listener of one FaultServer and the sockets they accepted. */
export class Listeners {
  readonly sockets = new Set<net.Socket>()
  private readonly servers: Array<net.Server> = []

  constructor(readonly state: ServerState) {}

  private track(raw: net.Socket): void {
    this.sockets.add(raw)
    raw.on("error", noop)
    raw.once("close", () => this.sockets.delete(raw))
    if (this.state.stopped) raw.destroy()
  }

  /** A plain listener; `"stall"` reads (so a client's close is noticed) and never answers. */
  plain(role: Role | "stall"): Promise<number> {
    const server = net.createServer((raw) => {
      this.track(raw)
      const conn: Conn = { raw, io: raw, scheme: "http", port: (raw.address() as net.AddressInfo).port }
      if (role === "stall") raw.on("data", noop)
      else serve(this.state, conn, role)
    })
    this.servers.push(server)
    return listen(server)
  }

  /** A TLS listener presenting `context`. */
  tls(role: Role, context: tls.SecureContext): Promise<number> {
    const server = net.createServer((raw) => {
      this.track(raw)
      const io = new tls.TLSSocket(raw, {
        isServer: true,
        secureContext: context,
        requestCert: false,
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"]
      })
      io.on("error", () => raw.destroy())
      io.once("close", () => raw.destroy())
      io.once(
        "secure",
        () => serve(this.state, { raw, io, scheme: "https", port: (raw.address() as net.AddressInfo).port }, role)
      )
    })
    this.servers.push(server)
    return listen(server)
  }

  /** Closes every listener and destroys every socket; resolves when all are closed. */
  async close(): Promise<void> {
    const closing = [...this.servers.map(closeServer), ...[...this.sockets].map(socketClosed)]
    for (const socket of this.sockets) socket.destroy()
    await Promise.all(closing)
  }
}
