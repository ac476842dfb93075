/**
 * An exchange that let go of its attempt removes its abort listener
 * (`Transport.Attempt.onAbort(undefined)`), so the client's end of a failed
 * attempt (a 503 read to its end, a refused connection) builds no abort
 * reason for it; one still on the wire keeps it, and is cut off by an abort.
 *
 * it.scopedLive: real sockets on 127.0.0.1; the attempt is
 * `Transport.attemptFromSignal` wrapped to record what the exchange asked.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { buildClient, eventually, rawServer, releasedPort } from "./helpers.js"

const scenario = Scenario.make({
  "GET /unavailable": Scenario.sequence([Reply.json(503, { error: "unavailable" })], { after: "repeat-last" })
})

/** `attemptFromSignal` recording each listener the transport hands to `onAbort` (`undefined`: removed). */
const recording = (signal: AbortSignal) => {
  const attempt = Transport.attemptFromSignal(signal)
  const listeners: Array<((reason: Error) => void) | undefined> = []
  const recorded: Transport.Attempt = Object.assign(Object.create(attempt) as Transport.Attempt, {
    onAbort: (listener: ((reason: Error) => void) | undefined) => {
      listeners.push(listener)
      attempt.onAbort(listener)
    }
  })
  return { attempt: recorded, listeners }
}

const send = (url: string, signal: AbortSignal) =>
  Effect.gen(function*() {
    const { context } = yield* buildClient({ retry: { retries: 0 } })
    const transport = Transport.fromHttpClient(yield* Effect.provide(HttpClient.HttpClient, context))
    const { attempt, listeners } = recording(signal)
    const response = yield* Effect.either(transport.send(HttpClientRequest.get(url), new URL(url), attempt))
    return { response, listeners }
  })

describe("the exchange's abort listener", () => {
  it("attemptFromSignal: a later listener replaces the first, undefined removes it, and it is told once", () => {
    const controller = new AbortController()
    const attempt = Transport.attemptFromSignal(controller.signal)
    const heard: Array<string> = []
    attempt.onAbort(() => heard.push("first"))
    attempt.onAbort(() => heard.push("second"))
    controller.abort(Transport.abortReason("ResponseTimeout"))
    expect(heard).toEqual(["second"])

    const other = new AbortController()
    const removed = Transport.attemptFromSignal(other.signal)
    removed.onAbort(() => heard.push("removed"))
    removed.onAbort(undefined)
    other.abort(Transport.abortReason("Interrupted"))
    expect(heard).toEqual(["second"])
  })

  it.scopedLive("a response read to its end: the listener is removed, and a later abort reaches nothing", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const controller = new AbortController()
      const { listeners, response } = yield* send(`${server.urls.http}/unavailable`, controller.signal)
      if (response._tag !== "Right") throw new Error(`expected a response, got ${String(response.left)}`)
      expect(response.right.status).toBe(503)
      expect(yield* response.right.text).toContain("unavailable")
      // set when the exchange started, removed when the response ended (the body may be in before the headers are handed over)
      expect(listeners.map((l) => typeof l)).toEqual(["function", "undefined"])
      // what the client's end of a failed attempt does: nothing is cut, the connection stays for the next request
      controller.abort(Transport.abortReason("Interrupted"))
      expect(Effect.runSync(server.openSockets)).toBe(1)
    }))

  it.scopedLive("a refused connection: the failed exchange removes its listener", () =>
    Effect.gen(function*() {
      const port = yield* releasedPort
      const { listeners, response } = yield* send(`http://127.0.0.1:${port}/`, new AbortController().signal)
      expect(response._tag).toBe("Left")
      expect(listeners.at(-1)).toBeUndefined()
    }))

  it.scopedLive("a body still arriving keeps its listener: an abort then cuts its connection", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) => {
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12345")
      })
      const controller = new AbortController()
      const { listeners, response } = yield* send(`${server.url}/`, controller.signal)
      expect(response._tag).toBe("Right")
      expect(listeners.length).toBe(1)
      expect(listeners[0]).toBeTypeOf("function")
      controller.abort(Transport.abortReason("BodyTimeout"))
      yield* eventually("the connection is closed", () => server.openSockets() === 0)
    }))
})
