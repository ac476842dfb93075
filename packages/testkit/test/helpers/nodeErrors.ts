// Shared by the NodeErrors test files.
import { assertTrue, deepStrictEqual } from "@effect/vitest/utils"
import * as Effect from "@steadfast/core/line/Effect"
import type * as Scope from "effect/Scope"
import * as net from "node:net"
import * as undici from "undici"

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------

export const normalizeMessage = (message: string): string =>
  message.replace(/\b[0-9A-F]{8,}:error:/g, "<thread>:error:")

export const normalizeValue = (key: string, value: unknown): unknown => {
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
export const shapeOf = (error: unknown): unknown => {
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
export const relabel = (shape: unknown, code: string): unknown =>
  JSON.parse(JSON.stringify(shape).replaceAll(code, "<CODE>").replace(/"errno":-?\d+/, "\"errno\":\"<n>\""))

export const sameShape = (real: unknown, simulated: unknown, label: string) =>
  deepStrictEqual(shapeOf(simulated), shapeOf(real), label)

// ---------------------------------------------------------------------------
// Loopback helpers
// ---------------------------------------------------------------------------

export const tcpHandles = () =>
  process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap" || r === "TLSWrap")
    .length

/** Runs a scoped test body, then checks that every TCP handle it opened is gone. */
export const withNoLeaks = <E>(body: Effect.Effect<void, E, Scope.Scope>) =>
  Effect.gen(function*() {
    const before = tcpHandles()
    yield* Effect.scoped(body)
    // Closing is asynchronous: give the event loop a few turns to reap handles.
    for (let i = 0; i < 200 && tcpHandles() > before; i++) {
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    assertTrue(tcpHandles() <= before, `TCP handles left open: ${tcpHandles()} > ${before}`)
  })

export interface Listening {
  readonly port: number
}

export const closeServer = (server: net.Server, sockets: Set<net.Socket>) =>
  Effect.async<void>((resume) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resume(Effect.void))
  })

/** A TCP (or TLS) server on 127.0.0.1, port 0; its connections are destroyed when the scope closes. */
export const serve = (
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

export const tcp = (onConnection: (socket: net.Socket) => void) =>
  serve((handler) => net.createServer(handler), onConnection)

/** Answers every request (after its first bytes) with `onRequest`. */
export const onFirstData = (onRequest: (socket: net.Socket) => void) => (socket: net.Socket) =>
  socket.once("data", () => onRequest(socket))

/** A port nothing listens on. */
export const freePort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

export const agent = (options: undici.Agent.Options = {}) =>
  Effect.acquireRelease(Effect.sync(() => new undici.Agent(options)), (a) => Effect.promise(() => a.destroy()))

/** The error a promise rejects with; fails the test if it resolves. */
export const rejection = (run: () => Promise<unknown>): Effect.Effect<unknown> =>
  Effect.promise(() =>
    run().then(
      () => new Error("expected a failure, got a success") as unknown,
      (error: unknown) => ({ rejected: error })
    )
  ).pipe(Effect.map((r) => {
    if (r !== null && typeof r === "object" && "rejected" in r) return r.rejected
    throw r
  }))

export const get = (url: string, dispatcher: undici.Dispatcher, options: { readonly readBody?: boolean } = {}) => () =>
  undici.request(url, { dispatcher }).then((r): Promise<unknown> => options.readBody ? r.body.text() : r.body.dump())

export const fetchText = (url: string, init: { readonly dispatcher?: undici.Dispatcher } = {}) => () =>
  fetch(url, init as unknown as RequestInit).then((r) => r.text())
