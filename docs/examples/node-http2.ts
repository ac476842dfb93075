/**
 * HTTP/2 on Node (opt-in): one connection carrying many requests, and a
 * stream the server refuses, sent again by the client. Runs against a
 * `node:http2` TLS server on 127.0.0.1 with the testkit's certificates.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient, Pool } from "@steadfast/node"
import { Certificates } from "@steadfast/testkit"
import { Effect } from "effect"
import * as assert from "node:assert"
import * as http2 from "node:http2"
import type * as net from "node:net"

// region: layer
const layerFor = (ca: string) =>
  NodeClient.layer({
    pool: { allowH2: true, maxConcurrentStreams: 50 },
    tls: { ca },
    proxy: { url: "none" }
  })
// endregion

// region: refused
// a server under load refuses a stream: it processed nothing, so even a POST is sent again, at once
const placeOrder = (origin: string) =>
  Client.withHistory(Client.text(HttpClientRequest.post(`${origin}/orders`).pipe(HttpClientRequest.bodyText("{}"))))
// endregion

/** An HTTP/2 server that refuses its first stream, and counts sessions and answered requests. */
const server = Effect.acquireRelease(
  Effect.gen(function*() {
    const certs = yield* Certificates.make()
    const h2 = http2.createSecureServer({ key: certs.localhost.key, cert: certs.localhost.cert })
    const seen = { sessions: 0, streams: 0, answered: 0 }
    h2.on("session", () => seen.sessions++)
    h2.on("stream", (stream) => {
      stream.on("error", () => {})
      if (seen.streams++ === 0) return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM)
      seen.answered++
      stream.respond({ ":status": 200 })
      stream.end("ok")
    })
    yield* Effect.async<void>((resume) => {
      h2.listen(0, "127.0.0.1", () => resume(Effect.void))
    })
    return { h2, seen, ca: certs.ca.cert, origin: `https://127.0.0.1:${(h2.address() as net.AddressInfo).port}` }
  }),
  ({ h2 }) => Effect.async<void>((resume) => void h2.close(() => resume(Effect.void)))
)

export const program = Effect.gen(function*() {
  const { ca, origin, seen } = yield* server
  yield* Effect.gen(function*() {
    const [text, history] = yield* placeOrder(origin)
    assert.strictEqual(text, "ok")
    assert.deepStrictEqual(history.map((h) => h.reason), ["refused-stream", undefined])
    // ten more requests at once: the same connection carries them
    yield* Effect.forEach(Array.from({ length: 10 }), () => Client.text(HttpClientRequest.get(`${origin}/items`)), {
      concurrency: "unbounded"
    })
    assert.strictEqual(seen.sessions, 1)
    assert.strictEqual(seen.answered, 11)
    const stats = (yield* Pool.stats).find((s) => s.origin === origin)
    assert.strictEqual(stats?.connected, 1)
  }).pipe(Effect.scoped, Effect.provide(layerFor(ca)))
}).pipe(Effect.scoped)
