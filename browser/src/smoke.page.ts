/**
 * The browser smoke check's page: @steadfast/core over the platform's
 * FetchHttpClient (`./http.js`) — the browser's own fetch — against the
 * server that served the page. Absolute urls, built from the page's origin.
 */
import { Client, Errors } from "@steadfast/core"
import { Effect, Layer, Schema } from "effect"
import { FetchHttpClient, HttpClientRequest } from "./http.js"
import { report } from "./page.js"

const origin = window.location.origin
const Greeting = Schema.Struct({ hello: Schema.String })

const program = Effect.gen(function*() {
  const client = yield* Client.Client
  // a plain request, decoded with Schema
  const greeting = yield* client.json(HttpClientRequest.get(`${origin}/api/hello`), Greeting)
  // a 503 first: retried after the backoff
  const flaky = yield* client.text(HttpClientRequest.get(`${origin}/api/flaky`))
  // no answer: the response timeout interrupts the fetch
  const slow = yield* Effect.flip(
    Client.withTimeouts(client, { response: "300 millis" }).text(HttpClientRequest.get(`${origin}/api/slow`))
  )
  return {
    greeting: greeting.hello,
    flaky,
    timeout: { tag: slow._tag, isTimeout: Errors.isTimeoutError(slow), attempts: slow.attempts, message: slow.message }
  }
})

const ClientLive = Client.layer({ retry: { retries: 2, backoff: { base: "20 millis" } } }).pipe(
  Layer.provide(FetchHttpClient.layer)
)

Effect.runPromise(Effect.provide(program, ClientLive)).then(
  (result) => report({ ok: true, result }),
  (error: unknown) => report({ ok: false, error: String(error) })
)
