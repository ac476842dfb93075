/**
 * Which socket a request went out on, and whether that socket had carried a
 * request before (a reused keep-alive socket).
 *
 * undici tells a dispatch handler nothing about its socket. It does publish
 * `undici:client:sendHeaders` (`{ request, headers, socket }`) on its
 * diagnostics channel, synchronously, right after it calls the handler's
 * `onConnect` in `writeH1` (dispatcher/client-h1.js) and before anything is
 * written. So the handler hands itself over in `onConnect` (a baton) and the
 * subscriber, which runs next, tells it about the socket. The subscriber
 * checks method and path before it believes the baton, and counts every
 * socket it sees in a `WeakMap`, so sockets of other dispatchers in the
 * process do no harm.
 *
 * One tracker per pool: subscribed when the pool is built, unsubscribed when
 * its scope closes.
 *
 * @internal
 */
import * as diagnostics from "node:diagnostics_channel"

/** What a tracked exchange learns about its socket. @internal */
export interface Tracked {
  readonly method: string
  readonly path: string
  reused: boolean
  remoteAddress: string | undefined
}

interface SendHeaders {
  readonly request?: { readonly method?: unknown; readonly path?: unknown }
  readonly socket?: { readonly remoteAddress?: string | undefined }
}

const CHANNEL = "undici:client:sendHeaders"

/** @internal */
export class SocketTracker {
  private baton: Tracked | undefined = undefined
  private readonly served = new WeakMap<object, number>()
  private subscribed = false

  private readonly listener = (message: unknown): void => {
    const { request, socket } = message as SendHeaders
    if (socket === undefined || socket === null) return
    const count = this.served.get(socket) ?? 0
    this.served.set(socket, count + 1)
    const tracked = this.baton
    if (tracked === undefined) return
    this.baton = undefined
    if (request === undefined || request.method !== tracked.method || request.path !== tracked.path) return
    tracked.reused = count > 0
    tracked.remoteAddress = socket.remoteAddress
  }

  /** Called from the handler's `onConnect`; the next `sendHeaders` is its own. */
  handOff(tracked: Tracked): void {
    this.baton = tracked
  }

  start(): void {
    if (this.subscribed) return
    this.subscribed = true
    diagnostics.subscribe(CHANNEL, this.listener)
  }

  stop(): void {
    if (!this.subscribed) return
    this.subscribed = false
    this.baton = undefined
    diagnostics.unsubscribe(CHANNEL, this.listener)
  }
}
