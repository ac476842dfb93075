/**
 * One connection of the pool: an undici `Client` that knows which exchange
 * it carries and the state of its socket.
 *
 * undici tells a dispatch handler nothing until the request is about to be
 * written (`onRequestStart`): not whether it waits in the pool's queue or is
 * on a connection being opened, not whether that connection is a reused
 * keep-alive one, not its socket. Each per-origin pool therefore builds its
 * connections with `factory`, and each connection:
 *
 * - wraps the pool's connector, so it knows when a socket is being opened,
 *   the socket itself, and how many requests went out on it;
 * - sees every request handed to it (`dispatch`): an exchange passes itself
 *   along in the dispatch options under `ExchangeKey` (undici copies the
 *   options with spread, which keeps symbol keys), and is told it was
 *   assigned. A request still in the pool's queue when its attempt was cut
 *   off is dropped here, before undici looks at it, so it never makes a
 *   connection open on its behalf.
 *
 * With `allowH2`, undici sends at most `pipelining` requests at once on a
 * connection, HTTP/2 or not (its default of 1 would mean no multiplexing).
 * A connection of such a pool therefore takes up to `h2Streams` requests
 * while it opens (a burst to a new origin shares the connection being
 * opened, as HTTP/2 intends), keeps that number when the server picks h2,
 * and drops back to the pool's `pipelining` when it picks HTTP/1.1.
 *
 * @internal
 */
import type * as net from "node:net"
import { Client, type Dispatcher, Pool } from "undici"

/** The dispatch option under which an exchange passes itself to its connection. @internal */
export const ExchangeKey: unique symbol = Symbol.for("@steadfast/node/Exchange")

/** What a pool and its connections need of an exchange. @internal */
export interface Assignable {
  /** The attempt was cut off before the request went out. */
  readonly cancelled: boolean
  /** Whether a connection took it already. */
  readonly isAssigned: boolean
  /** The pool handed the request to `connection`. */
  assigned(connection: Connection): void
  /** No connection of `pool` was free: the request waits in its queue. */
  queuedIn(pool: ConnectionPool): void
}

type Connector = (
  options: object,
  callback: (error: Error | null, socket: net.Socket | null) => void
) => unknown

/** A connection opened for a request that was cut off, and not picked up by another: closed, not kept idle. */
class Unused extends Error {
  readonly code = "UND_ERR_ABORTED"
  constructor() {
    super("steadfast: the request this connection was opened for was cut off")
    this.name = "ConnectionUnused"
  }
}

/** @internal */
export class Connection extends Client {
  /** The open socket, if any. */
  socket: net.Socket | undefined
  /** The socket being opened, when the connector returned it. */
  opening: net.Socket | undefined
  isConnecting: boolean
  /** Requests that went out on `socket`. */
  served: number
  /** The request was cut off while this connection was opened for it. */
  abandoned: boolean

  constructor(
    origin: string | URL,
    options: Client.Options & { readonly connect: Connector },
    readonly pool: ConnectionPool
  ) {
    const connector = options.connect
    // the connector is given before `this` exists; it is called only later
    const holder: { connection?: Connection } = {}
    super(origin, {
      ...options,
      ...(pool.h2Streams === undefined ? {} : { pipelining: pool.h2Streams }),
      connect: ((params: object, callback: (error: Error | null, socket: net.Socket | null) => void) =>
        holder.connection!.open(connector, params, callback)) as unknown as NonNullable<Client.Options["connect"]>
    })
    holder.connection = this
    this.socket = undefined
    this.opening = undefined
    this.isConnecting = false
    this.served = 0
    this.abandoned = false
  }

  private open(
    connector: Connector,
    params: object,
    callback: (error: Error | null, socket: net.Socket | null) => void
  ): unknown {
    this.isConnecting = true
    this.abandoned = false
    const result = connector(params, (error, socket) => {
      this.isConnecting = false
      this.opening = undefined
      if (error === null && socket !== null) {
        this.socket = socket
        this.served = 0
        const h2Streams = this.pool.h2Streams
        if (h2Streams !== undefined) {
          const h2 = (socket as { readonly alpnProtocol?: unknown }).alpnProtocol === "h2"
          const want = h2 ? h2Streams : this.pool.h1Pipelining
          if (this.pipelining !== want) this.pipelining = want
        }
        socket.once("close", () => {
          if (this.socket === socket) this.socket = undefined
        })
      }
      callback(error, socket)
      if (error === null && socket !== null && this.abandoned) {
        // undici writes what it holds, then hands the pool's queued requests
        // over; a connection none of them took stays unused: close it
        queueMicrotask(() => {
          if (this.socket === socket && this.served === 0 && this.stats.size === 0) socket.destroy(new Unused())
        })
      }
    })
    this.opening = typeof result === "object" && result !== null && "destroy" in result
      ? result as net.Socket
      : undefined
    return result
  }

  /** Whether a request handed over now goes out on an open connection. */
  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed
  }

  /**
   * The request this connection is being opened for was cut off. When no
   * other request waits in the pool (which would take the connection), the
   * half-open socket is destroyed now; otherwise it is closed once open if
   * nobody took it.
   */
  abandon(reason: Error): void {
    if (!this.isConnecting) return
    this.abandoned = true
    if (this.pool.waiting === 0 && this.opening !== undefined && this.stats.size <= 1) this.opening.destroy(reason)
  }

  /** A request starts on `socket`: whether the socket carried one before. */
  started(): boolean {
    return this.served++ > 0
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const exchange = (options as { readonly [ExchangeKey]?: Assignable })[ExchangeKey]
    if (exchange !== undefined) {
      // cut off while queued: drop it, and stay free for the next
      if (exchange.cancelled) return true
      exchange.assigned(this)
    }
    return super.dispatch(options, handler)
  }
}

/**
 * The undici pool of one origin, whose connections are `Connection`s, and
 * which tells an exchange when it queued it.
 *
 * @internal
 */
export class ConnectionPool extends Pool {
  /** Requests in the queue whose attempt is still live. */
  waiting: number
  /** With `allowH2`: the requests one HTTP/2 connection carries at once. */
  readonly h2Streams: number | undefined
  /** The pool's `pipelining`, for a connection on which the server picked HTTP/1.1. */
  readonly h1Pipelining: number

  constructor(origin: string | URL, options: Pool.Options) {
    const holder: { pool?: ConnectionPool } = {}
    super(origin, {
      ...options,
      factory: (o: string | URL, opts: object) =>
        new Connection(o, opts as Client.Options & { readonly connect: Connector }, holder.pool!)
    })
    holder.pool = this
    this.waiting = 0
    this.h2Streams = options.allowH2 === true ? options.maxConcurrentStreams ?? 100 : undefined
    this.h1Pipelining = options.pipelining ?? 1
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const result = super.dispatch(options, handler)
    const exchange = (options as { readonly [ExchangeKey]?: Assignable })[ExchangeKey]
    if (exchange !== undefined && !exchange.isAssigned && !exchange.cancelled) exchange.queuedIn(this)
    return result
  }
}
