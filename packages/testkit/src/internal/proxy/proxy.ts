/**
 * The fault proxy: a TCP proxy with toxics. See the public `FaultProxy`
 * module for the contract; each connection is a `Link` (see `link.ts`).
 *
 * @internal
 */
import * as net from "node:net"
import type { Connection, Handle, Options, Toxic, Upstream } from "../../FaultProxy.js"
import * as Timer from "../../Timer.js"
import { drawFor } from "../seeded.js"
import { tracked } from "../timer.js"
import { Link, type ProxyState } from "./link.js"

const LOOPBACK = "127.0.0.1"

/** `{ host, port }` from itself, `"host:port"` or a url with an explicit port. */
export const parseUpstream = (upstream: Upstream | string): Upstream => {
  if (typeof upstream !== "string") return upstream
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(upstream) ? upstream : `tcp://${upstream}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new TypeError(`FaultProxy: the upstream "${upstream}" is not "host:port" or a url with a port`)
  }
  if (url.port === "") throw new TypeError(`FaultProxy: the upstream needs an explicit port (got ${upstream})`)
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) }
}

const noop = () => {}

/** Resolves once the socket has emitted `close`. */
const socketClosed = (socket: net.Socket): Promise<void> =>
  new Promise((resolve) => {
    if (socket.closed) return resolve()
    socket.once("close", () => resolve())
  })

export const start = async (options: Options): Promise<Handle> => {
  const upstream = parseUpstream(options.upstream)
  const host = options.listen?.host ?? LOOPBACK
  const timer = tracked(options.timer ?? Timer.real)
  const seed = (options.seed ?? 0) >>> 0
  const state: ProxyState = {
    seed,
    toxics: new Map(),
    links: new Set(),
    applies: (toxic: Toxic, index: number): boolean =>
      toxic.toxicity >= 1 || (toxic.toxicity > 0 && drawFor(seed, `${toxic.name}#${index}`) < toxic.toxicity),
    // not Effect's Clock: the proxy delays bytes on real sockets between real processes, which no
    // TestClock can hold back (in-memory faults under the TestClock are SimulatedNetwork's job); a test
    // about a delay passes its own timer instead of the wall clock
    timer
  }
  for (const toxic of options.toxics ?? []) state.toxics.set(toxic.name, toxic)
  const sockets = new Set<net.Socket>()
  const log: Array<Connection> = []
  let stopped = false
  let count = 0

  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on("error", noop)
    socket.once("close", () => sockets.delete(socket))
  }

  const onConnection = (client: net.Socket) => {
    track(client)
    if (stopped || !listening) {
      client.destroy()
      return
    }
    const index = count++
    const server = net.connect({ host: upstream.host, port: upstream.port, allowHalfOpen: true })
    track(server)
    server.setNoDelay(true)
    client.setNoDelay(true)
    state.links.add(new Link(state, index, client, server))
    log.push({
      index,
      // the timer's time, for a human reading the log (ordering uses `index`)
      at: Math.floor(timer.now()),
      toxics: [...state.toxics.values()].filter((t) => state.applies(t, index)).map((t) => t.name)
    })
  }

  let server = net.createServer({ allowHalfOpen: true }, onConnection)
  let listening = false
  let port = options.listen?.port ?? 0

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once("error", reject)
      server.listen({ host, port }, () => {
        server.off("error", reject)
        port = (server.address() as net.AddressInfo).port
        listening = true
        resolve()
      })
    })

  const closeListener = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) return resolve()
      listening = false
      server.close(() => resolve())
    })

  await listen()

  const closeAll = () => {
    for (const link of state.links) link.close()
    for (const socket of sockets) socket.destroy()
  }

  const refreshAll = () => {
    for (const link of state.links) link.refresh()
  }

  let stopping: Promise<void> | undefined
  const urlHost = host.includes(":") ? `[${host}]` : host

  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    upstream,
    setToxic: (toxic) => {
      state.toxics.set(toxic.name, toxic)
      refreshAll()
    },
    removeToxic: (name) => {
      const had = state.toxics.delete(name)
      refreshAll()
      return had
    },
    clearToxics: () => {
      state.toxics.clear()
      refreshAll()
    },
    toxics: () => [...state.toxics.values()],
    down: async () => {
      if (stopped) return
      const closing = [closeListener(), ...[...sockets].map(socketClosed)]
      closeAll()
      await Promise.all(closing)
    },
    up: async () => {
      if (stopped || listening) return
      server = net.createServer({ allowHalfOpen: true }, onConnection)
      await listen()
    },
    isUp: () => listening,
    connections: () => log.slice(),
    openConnections: () => state.links.size,
    openSockets: () => sockets.size,
    stop: () =>
      stopping ??= (async () => {
        stopped = true
        const closing = [closeListener(), ...[...sockets].map(socketClosed)]
        closeAll()
        timer.cancelAll()
        await Promise.all(closing)
      })()
  }
}
