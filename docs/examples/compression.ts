/**
 * Compressed bodies on the node transport, against a FaultServer on
 * 127.0.0.1: what is asked for, what is decoded, the size limit on decoded
 * bytes, a broken stream, and the raw bytes when you want them.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Context, Effect, Layer } from "effect"
import * as assert from "node:assert"
import * as zlib from "node:zlib"

const user = { id: 1, name: "Ada" }
const gzipped = zlib.gzipSync(JSON.stringify(user))
/** 256 MiB of zeros, about 256 KB gzipped: a small download that would fill the memory. */
const member = zlib.gzipSync(Buffer.alloc(1024 * 1024))
const bomb = Buffer.concat(Array.from({ length: 256 }, () => member))

const scenario = Scenario.make({
  "GET /users/1": Scenario.sequence([
    Reply.bytes(200, gzipped, { "content-type": "application/json", "content-encoding": "gzip" })
  ], { after: "repeat-last" }),
  "GET /export": [Reply.bytes(200, bomb, { "content-encoding": "gzip" })],
  "GET /broken": [Reply.bytes(200, Buffer.from("not gzip"), { "content-encoding": "gzip" })]
})

const test = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const context = yield* Layer.build(NodeClient.layer({ proxy: { url: "none" }, maxBodySize: 10 * 1024 * 1024 }))
  const client = Context.get(context, Client.Client)
  const url = (path: string) => `${server.urls.http}${path}`

  // region: default
  // on by default: the request goes out with `Accept-Encoding: gzip, deflate, br`,
  // the body comes back decoded, and the headers describe the decoded body
  const response = yield* client.execute(HttpClientRequest.get(url("/users/1")))
  assert.deepStrictEqual(yield* response.json, { id: 1, name: "Ada" })
  assert.strictEqual(response.headers["content-encoding"], undefined)
  assert.strictEqual(response.headers["content-length"], undefined)
  // endregion
  const [sent] = yield* server.attempts
  assert.strictEqual(sent?.headers["accept-encoding"], "gzip, deflate, br")

  // region: limit
  // the size limit counts decoded bytes: a 256 KB download that inflates to
  // 256 MiB stops at 10 MiB, and the connection is dropped
  const tooLarge = yield* Effect.flip(client.bytes(HttpClientRequest.get(url("/export"))))
  assert.strictEqual(tooLarge._tag, "BodyTooLarge")
  // endregion

  // region: broken
  // a body that does not match its Content-Encoding is a DecodeError, sent once
  const broken = yield* Effect.flip(client.json(HttpClientRequest.get(url("/broken"))))
  assert.strictEqual(broken._tag, "DecodeError")
  assert.match(broken.message, /not valid gzip/)
  assert.strictEqual(yield* server.hits("GET /broken"), 1)
  // endregion

  // region: raw
  // the bytes as the server sent them: no Accept-Encoding added, nothing decoded,
  // Content-Encoding kept (per client: NodeClient.layer({ decompress: false }))
  const raw = Client.withOptions(client, { decompress: false })
  const asSent = yield* raw.execute(
    HttpClientRequest.get(url("/users/1")).pipe(HttpClientRequest.setHeader("accept-encoding", "gzip"))
  )
  assert.strictEqual(asSent.headers["content-encoding"], "gzip")
  const bytes = new Uint8Array(yield* asSent.arrayBuffer)
  assert.deepStrictEqual(JSON.parse(zlib.gunzipSync(bytes).toString()), user)
  // endregion
}).pipe(Effect.scoped, Effect.provide(FaultServer.layer(scenario)))

export const program = test
