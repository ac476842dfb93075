/**
 * `pnpm demo`: a short tour of steadfast against a server on 127.0.0.1.
 *
 * The server fails on purpose (a reset, then a 503 with Retry-After, then a
 * hang) and the tour prints what the resilient client made of each failure.
 */
import { HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Client, type Errors } from "@steadfast/core"
import { Console, Effect, Layer } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

const hits = new Map<string, number>()

const server = http.createServer((req, res) => {
  const n = (hits.get(req.url ?? "") ?? 0) + 1
  hits.set(req.url ?? "", n)
  switch (req.url) {
    case "/flaky":
      if (n === 1) return req.socket.resetAndDestroy()
      if (n === 2) {
        res.writeHead(503, { "retry-after": "1" })
        return res.end("busy")
      }
      res.writeHead(200, { "content-type": "application/json" })
      return res.end(JSON.stringify({ ok: true, attempt: n }))
    case "/hang":
      return // never answers
    default:
      res.writeHead(404)
      res.end("not found")
  }
})

const describe = (error: Errors.HttpError) =>
  `${error._tag} after ${error.attempts} attempt(s)\n    ${error.message}\n    history: ${
    error.history.map((h) => `#${h.attempt} ${h.tag}${h.status ? ` ${h.status}` : ""} +${h.delayMs}ms`).join(", ")
  }`

const tour = (base: string) =>
  Effect.gen(function*() {
    const client = yield* Client.Client
    yield* Console.log(`steadfast demo: server on ${base}\n`)

    yield* Console.log("1. GET /flaky: the server resets, then answers 503 with Retry-After: 1, then 200")
    const started = Date.now()
    const body = yield* client.json(HttpClientRequest.get(`${base}/flaky`))
    yield* Console.log(
      `   -> ${JSON.stringify(body)} in ${Date.now() - started} ms (retried, waited as Retry-After asked)\n`
    )

    yield* Console.log("2. GET /hang with a 500 ms response timeout and no retries")
    const hung = yield* Effect.flip(
      Client.withOptions(client, { retry: { retries: 0 }, timeouts: { response: "500 millis" } }).json(
        HttpClientRequest.get(`${base}/hang`)
      )
    )
    yield* Console.log(`   -> ${describe(hung)}\n`)

    yield* Console.log("3. GET /missing: a 404 is not retried")
    const missing = yield* Effect.flip(client.text(HttpClientRequest.get(`${base}/missing`)))
    yield* Console.log(`   -> ${describe(missing)}\n`)

    yield* Console.log("4. GET on a closed port: connection refused, retried, then reported")
    const refused = yield* Effect.flip(
      Client.withOptions(client, { retry: { retries: 2, backoff: { base: "50 millis" } } }).text(
        HttpClientRequest.get("http://127.0.0.1:9/")
      )
    )
    yield* Console.log(`   -> ${describe(refused)}`)
  })

const main = Effect.acquireRelease(
  Effect.async<string>((resume) => {
    server.listen(
      0,
      "127.0.0.1",
      () => resume(Effect.succeed(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
    )
  }),
  () =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(
  Effect.flatMap(tour),
  Effect.scoped,
  Effect.provide(Client.layer().pipe(Layer.provide(NodeHttpClient.layerUndici)))
)

Effect.runPromise(main).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
