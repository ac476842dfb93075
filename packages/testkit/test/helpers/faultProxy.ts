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

/** An undici exchange as data (never fails); nothing in it is a time, so no test can assert one. */
export type Outcome =
  | { readonly _tag: "Response"; readonly status: number; readonly body: Buffer; readonly chunks: number }
  | { readonly _tag: "Failure"; readonly error: NodeJS.ErrnoException }

export const exchange = (dispatcher: Dispatcher, url: string, options: RequestOptions = {}) =>
  Effect.promise(async (): Promise<Outcome> => {
    try {
      const response = await request(url, { ...options, dispatcher })
      const parts: Array<Buffer> = []
      for await (const chunk of response.body) parts.push(chunk as Buffer)
      return { _tag: "Response", status: response.statusCode, body: Buffer.concat(parts), chunks: parts.length }
    } catch (error) {
      return { _tag: "Failure", error: error as NodeJS.ErrnoException }
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
export const setup = (options: Omit<FaultProxy.Options, "upstream"> = {}, serverOptions: FaultServer.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* FaultServer.make(upstreamScenario, serverOptions)
    const proxy = yield* FaultProxy.make({ ...options, upstream: server.urls.http })
    return { server, proxy, dispatcher: yield* agent }
  })

/** A raw HTTP exchange through `port`: every byte received until the FIN (3 s at most). */
export const raw = (port: number, head: string) =>
  Effect.promise(() =>
    new Promise<{ readonly bytes: Buffer }>((resolve, reject) => {
      const parts: Array<Buffer> = []
      const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write(head))
      const guard = setTimeout(() => {
        socket.destroy()
        reject(new Error("no FIN within 3 s"))
      }, 3_000)
      socket.on("data", (chunk: Buffer) => void parts.push(chunk))
      socket.on("error", () => {})
      socket.once("end", () => {
        clearTimeout(guard)
        socket.destroy()
        resolve({ bytes: Buffer.concat(parts) })
      })
    })
  )
