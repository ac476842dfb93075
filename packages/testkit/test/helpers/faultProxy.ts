// Shared by the FaultProxy test files: an undici exchange as data, raw
// sockets, and a proxy in front of a FaultServer.
import * as Effect from "@steadfast/core/line/Effect"
import type * as Scope from "effect/Scope"
import * as net from "node:net"
import { Agent, type Dispatcher, request } from "undici"
import { Fault, Reply } from "../../src/Fault.js"
import * as FaultProxy from "../../src/FaultProxy.js"
import * as FaultServer from "../../src/FaultServer.js"
import * as Scenario from "../../src/Scenario.js"
import type { RequestOptions } from "./faultServer.js"

export { eventually } from "./faultServer.js"

export type Outcome =
  | {
    readonly _tag: "Response"
    readonly status: number
    readonly body: Buffer
    readonly chunks: number
    readonly elapsed: number
  }
  | { readonly _tag: "Failure"; readonly error: NodeJS.ErrnoException; readonly elapsed: number }

export const exchange = (dispatcher: Dispatcher, url: string, options: RequestOptions = {}) =>
  Effect.promise(async (): Promise<Outcome> => {
    const started = performance.now()
    try {
      const response = await request(url, { ...options, dispatcher })
      const parts: Array<Buffer> = []
      for await (const chunk of response.body) parts.push(chunk as Buffer)
      return {
        _tag: "Response",
        status: response.statusCode,
        body: Buffer.concat(parts),
        chunks: parts.length,
        elapsed: performance.now() - started
      }
    } catch (error) {
      return { _tag: "Failure", error: error as NodeJS.ErrnoException, elapsed: performance.now() - started }
    }
  })

export const expectResponse = (outcome: Outcome) => {
  if (outcome._tag !== "Response") {
    throw new Error(`expected a response, got ${outcome.error.code} ${outcome.error.message}`)
  }
  return outcome
}

export const expectFailure = (outcome: Outcome) => {
  if (outcome._tag !== "Failure") throw new Error(`expected a failure, got a ${outcome.status} response`)
  return outcome
}

export const agent: Effect.Effect<Agent, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => new Agent()),
  (a) => Effect.promise(() => a.destroy())
)

export const kb = "0123456789".repeat(100)

export const upstreamScenario = Scenario.make({
  "GET /small": Scenario.sequence([Reply.text(200, "hello")], { after: "repeat-last" }),
  "GET /kb": Scenario.sequence([Reply.text(200, kb)], { after: "repeat-last" }),
  "GET /late": Scenario.sequence([Fault.latency("40 millis", Reply.text(200, "late"))], { after: "repeat-last" }),
  "GET /trickle": Scenario.sequence(
    [Fault.trickle({ chunkSize: 5, interval: "30 millis" }, Reply.text(200, "abcdefghijklmnopqrst"))],
    { after: "repeat-last" }
  ),
  "GET /slow": Scenario.sequence([Fault.latency("300 millis", Reply.text(200, "slow"))], { after: "repeat-last" }),
  "GET /hang": Scenario.sequence([Fault.hang()], { after: "repeat-last" }),
  "* /echo": Scenario.sequence([Reply.echo()], { after: "repeat-last" })
})

/** A FaultServer and a proxy in front of its plain-http listener, both released with the scope. */
export const setup = (options: Omit<FaultProxy.Options, "upstream"> = {}) =>
  Effect.gen(function*() {
    const server = yield* FaultServer.make(upstreamScenario)
    const proxy = yield* FaultProxy.make({ ...options, upstream: server.urls.http })
    return { server, proxy, dispatcher: yield* agent }
  })

/** A raw HTTP exchange through `port`: every byte received, and when the FIN came after the last byte. */
export const raw = (port: number, head: string) =>
  Effect.promise(() =>
    new Promise<{ readonly bytes: Buffer; readonly endedAfterLastByte: number; readonly elapsed: number }>(
      (resolve, reject) => {
        const started = performance.now()
        let last = started
        const parts: Array<Buffer> = []
        const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write(head))
        const guard = setTimeout(() => {
          socket.destroy()
          reject(new Error("no FIN within 3 s"))
        }, 3_000)
        socket.on("data", (chunk) => {
          parts.push(chunk)
          last = performance.now()
        })
        socket.on("error", () => {})
        socket.once("end", () => {
          clearTimeout(guard)
          const now = performance.now()
          socket.destroy()
          resolve({ bytes: Buffer.concat(parts), endedAfterLastByte: now - last, elapsed: now - started })
        })
      }
    )
  )

/** A raw TCP connection through `port`, destroyed with the scope. */
export const rawConnection = (port: number) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<net.Socket>((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(socket))
        socket.on("error", () => {})
      })
    ),
    (socket) => Effect.sync(() => socket.destroy())
  )

/** Sends `head` on a keep-alive socket and reads one `content-length` framed response. */
export const roundTrip = (socket: net.Socket, head: string) =>
  Effect.promise(() =>
    new Promise<{ readonly body: string; readonly elapsed: number }>((resolve, reject) => {
      const started = performance.now()
      let buffer = Buffer.alloc(0)
      const guard = setTimeout(() => done(new Error("no response within 2 s")), 2_000)
      const done = (error?: Error) => {
        clearTimeout(guard)
        socket.off("data", onData)
        if (error !== undefined) reject(error)
      }
      const onData = (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk])
        const end = buffer.indexOf("\r\n\r\n")
        if (end === -1) return
        const length = Number(/content-length: (\d+)/i.exec(buffer.subarray(0, end).toString())?.[1] ?? 0)
        if (buffer.length < end + 4 + length) return
        done()
        resolve({ body: buffer.subarray(end + 4, end + 4 + length).toString(), elapsed: performance.now() - started })
      }
      socket.on("data", onData)
      socket.write(head)
    })
  )
