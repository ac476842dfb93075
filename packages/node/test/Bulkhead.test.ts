/**
 * The bulkhead on real sockets: 40 GETs sent at once through a bulkhead of
 * 3 reach the server at most 3 at a time — counted by the server, from the
 * moment it receives a request until its response is finished — and all of
 * them succeed (the queue holds the rest).
 *
 * it.scopedLive: real loopback sockets; the server answers each request on
 * its next timer tick so that requests overlap. Nothing asserts a duration.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Bulkhead } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { buildClient } from "./helpers.js"

interface Counting {
  readonly url: string
  readonly server: http.Server
  /** Requests being worked on now, the most at once, and all received. */
  readonly stats: { now: number; max: number; received: number }
}

/** A server that counts the requests it is working on, and the most at once. */
const countingServer = Effect.acquireRelease(
  Effect.async<Counting>((resume) => {
    const stats = { now: 0, max: 0, received: 0 }
    const server = http.createServer((req, res) => {
      stats.received++
      stats.now++
      stats.max = Math.max(stats.max, stats.now)
      res.on("close", () => stats.now--)
      req.resume()
      setTimeout(() => res.end("ok"), 5)
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, server, stats }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

describe("Bulkhead on sockets", () => {
  it.scopedLive("40 GETs at once through a bulkhead of 3: the server never works on more than 3", () =>
    Effect.gen(function*() {
      const { stats, url } = yield* countingServer
      const bulkhead = Bulkhead.make({ maxConcurrent: 3, maxQueue: 100 })
      const { client } = yield* buildClient({ policies: [bulkhead] })
      const results = yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => HttpClientRequest.get(`${url}/item/${i}`)),
        (request) => client.text(request),
        { concurrency: "unbounded" }
      ).pipe(Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => new Error("the requests did not end") }))
      expect(results).toEqual(Array(40).fill("ok"))
      expect(stats.received).toBe(40)
      expect(stats.max).toBe(3)
      expect(yield* Bulkhead.state(bulkhead, url)).toMatchObject({ inFlight: 0, queued: 0 })
    }))
})
