// A raw TCP client on loopback that keeps everything it received, for tests
// that check, byte for byte, what had arrived at a given point.
import * as Effect from "@steadfast/core/line/Effect"
import type * as Scope from "effect/Scope"
import * as net from "node:net"

/** A connected socket and what it has received so far. */
export interface RawClient {
  /** Writes to the socket. */
  readonly send: (data: string) => void
  /** Every byte received so far. */
  readonly received: () => Buffer
  /** Whether the peer's FIN has arrived. */
  readonly ended: () => boolean
  /** The socket's error code (ECONNRESET…), if it failed. */
  readonly error: () => string | undefined
  /** Whether the socket is closed. */
  readonly closed: () => boolean
}

/** Connects to 127.0.0.1:`port`; the socket is destroyed with the scope. */
export const rawClient = (port: number): Effect.Effect<RawClient, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ readonly socket: net.Socket; readonly client: RawClient }>((resolve) => {
        const parts: Array<Buffer> = []
        let ended = false
        let error: string | undefined
        const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true }, () =>
          resolve({
            socket,
            client: {
              send: (data) => void socket.write(data),
              received: () => Buffer.concat(parts),
              ended: () => ended,
              error: () => error,
              closed: () => socket.closed
            }
          }))
        socket.on("data", (chunk: Buffer) => void parts.push(chunk))
        socket.on("end", () => (ended = true))
        socket.on("error", (e: NodeJS.ErrnoException) => (error = e.code))
      })
    ),
    ({ socket }) => Effect.sync(() => socket.destroy())
  ).pipe(Effect.map(({ client }) => client))

/** The index just past the end of the head of the first response in `bytes`, or -1 before it is complete. */
export const headEnd = (bytes: Buffer): number => {
  const at = bytes.indexOf("\r\n\r\n")
  return at === -1 ? -1 : at + 4
}

/** The number of complete `content-length` framed responses at the start of `bytes`. */
export const responses = (bytes: Buffer): number => {
  let count = 0
  for (let rest = bytes;;) {
    const end = headEnd(rest)
    if (end === -1) return count
    const length = Number(/content-length: (\d+)/i.exec(rest.subarray(0, end).toString())?.[1] ?? 0)
    if (rest.length < end + length) return count
    count++
    rest = rest.subarray(end + length)
  }
}
