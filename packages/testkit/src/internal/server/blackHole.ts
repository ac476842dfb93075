/**
 * A loopback address where TCP connects never complete.
 *
 * A listening socket with a backlog of 1 is opened by a worker thread, which
 * then blocks its event loop (`Atomics.wait`) so nothing is ever accepted.
 * Two filler connections fill the kernel's accept queue; from then on the
 * kernel drops every SYN to that port (Linux: `LISTENOVERFLOWS`) and a
 * client's `connect()` stays in SYN_SENT until the client gives up. This is a
 * real connect hang, on loopback, for plain TCP (TLS adds its own hang: a
 * listener that accepts and never answers the ClientHello).
 *
 * `close()` wakes the worker, which closes its listener and exits, and
 * destroys the fillers.
 */
import * as net from "node:net"
import { Worker } from "node:worker_threads"

/** A running black hole. */
export interface BlackHole {
  readonly port: number
  /** Whether a probe connect really hangs (false on kernels that accept anyway). */
  readonly verified: boolean
  readonly close: () => Promise<void>
}

const workerSource = `
const { parentPort, workerData } = require("node:worker_threads")
const net = require("node:net")
const server = net.createServer(() => {})
server.on("error", (error) => { parentPort.postMessage({ error: String(error) }); process.exit(1) })
server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
  parentPort.postMessage({ port: server.address().port })
  // Block this thread: the listener is never polled, so nothing is accepted.
  Atomics.wait(new Int32Array(workerData), 0, 0)
  server.close()
  process.exit(0)
})
`

const connectWithin = (port: number, ms: number): Promise<net.Socket | undefined> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    // a real timer: it bounds a real connect attempt on a real socket
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(undefined)
    }, ms)
    socket.once("connect", () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once("error", () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(undefined)
    })
  })

/** Starts a black hole. */
export const start = async (): Promise<BlackHole> => {
  const flag = new SharedArrayBuffer(4)
  const worker = new Worker(workerSource, { eval: true, workerData: flag })
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    worker.once(
      "message",
      (message: { port?: number; error?: string }) =>
        message.port === undefined ? reject(new Error(`black hole: ${message.error}`)) : resolve(message.port)
    )
    worker.once("error", reject)
  })
  // Fill the accept queue (backlog 1 holds up to two completed handshakes);
  // the first connect that does not complete shows that SYNs are now dropped.
  const fillers: Array<net.Socket> = []
  let verified = false
  for (let i = 0; i < 6 && !verified; i++) {
    const socket = await connectWithin(port, 100)
    if (socket === undefined) verified = true
    else {
      socket.on("error", () => {})
      fillers.push(socket)
    }
  }
  let closing: Promise<void> | undefined
  return {
    port,
    verified,
    close: () =>
      closing ??= (async () => {
        const view = new Int32Array(flag)
        Atomics.store(view, 0, 1)
        Atomics.notify(view, 0)
        for (const socket of fillers) socket.destroy()
        await exited
      })()
  }
}
