/**
 * The loopback servers of the browser suite, each recording what it
 * received: an HTTP server with CORS routes (the API, another origin than
 * the page), a second HTTP origin a redirect points to, a raw TCP server
 * that resets or closes without answering, and a port where nothing listens.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as net from "node:net"

/** One request as a server saw it. */
export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
}

/** A running recording server. */
export interface Recording {
  /** `http://127.0.0.1:port` */
  readonly url: string
  readonly received: ReadonlyArray<Received>
  /** How many requests with `method` (any when omitted) reached `path`. */
  readonly count: (path: string, method?: string) => number
  readonly close: () => Promise<void>
}

const counter = (received: ReadonlyArray<Received>) => (path: string, method?: string) =>
  received.filter((r) => r.path === path && (method === undefined || r.method === method)).length

const listening = (server: net.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))
  })

/** An HTTP server on 127.0.0.1 that records every request, then hands it to `handler`. */
export const recordingServer = async (handler: http.RequestListener): Promise<Recording> => {
  const received: Array<Received> = []
  const server = http.createServer((request, response) => {
    received.push({
      method: request.method ?? "",
      path: new URL(request.url ?? "/", "http://127.0.0.1").pathname,
      headers: { ...request.headers }
    })
    handler(request, response)
  })
  const port = await listening(server)
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    count: counter(received),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}

/**
 * A TCP server that reads a request head, records it, and then, by path:
 * `/reset…` resets the connection (RST), anything else closes it without a
 * byte of response (an empty response).
 */
export const rawServer = async (): Promise<Recording> => {
  const received: Array<Received> = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => {})
    let head = ""
    socket.on("data", (chunk) => {
      head += chunk.toString("latin1")
      if (!head.includes("\r\n\r\n")) return
      const [method = "", target = "/"] = head.split(" ", 2)
      const path = new URL(target, "http://127.0.0.1").pathname
      received.push({ method, path, headers: {} })
      if (path.startsWith("/reset")) socket.resetAndDestroy()
      else socket.end()
    })
  })
  const port = await listening(server)
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    count: counter(received),
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => done())
      })
  }
}

/** A loopback port where nothing listens (bound, then closed). */
export const refusedPort = async (): Promise<number> => {
  const server = net.createServer()
  const port = await listening(server)
  await new Promise<void>((done) => server.close(() => done()))
  return port
}
