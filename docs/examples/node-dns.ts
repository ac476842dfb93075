/**
 * Name resolution on Node: a resolver of your own (here a table, so no DNS
 * traffic), the DNS cache, what a `DnsError` says, and happy eyeballs.
 * Runs against a FaultServer on 127.0.0.1.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, Errors } from "@steadfast/core"
import { Dns, NodeClient } from "@steadfast/node"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect, Layer } from "effect"
import * as assert from "node:assert"

const scenario = Scenario.make({ "GET /": Scenario.sequence([Reply.text(200, "hello")], { after: "repeat-last" }) })

// region: resolver
// a resolver is an Effect: the addresses of a name for one record type, with their TTLs
const asked: Array<string> = []
const table: Dns.Service = {
  resolve: (name, type) =>
    Effect.suspend(() => {
      asked.push(`${type} ${name}`)
      return name === "api.internal" && type === "A"
        ? Effect.succeed([{ address: "127.0.0.1", ttl: 60 }])
        : Effect.fail(new Dns.ResolveError({ name, type, code: type === "A" ? "ENOTFOUND" : "ENODATA" }))
    })
}

const ClientLive = NodeClient.layer({
  dns: { resolver: table, cache: { maxEntries: 500, negativeTtl: "5 seconds" } },
  proxy: { url: "none" },
  retry: { retries: 0 }
})
// endregion

// region: error
// a name that does not resolve: a DnsError naming every question asked
const whyNot = (url: string) =>
  Client.text(HttpClientRequest.get(url)).pipe(
    Effect.catchTag("DnsError", (error) =>
      Effect.succeed(
        `${error.code} (temporary: ${error.temporary}): ` +
          error.queries?.map((q) => `${q.type} ${q.name} → ${q.code}`).join(", ")
      ))
  )
// endregion

// region: layer
// the resolver as a service: every pool built in its context uses it
const FromContext = NodeClient.layer({ dns: { cache: true }, proxy: { url: "none" } }).pipe(
  Layer.provide(Dns.layer(table))
)
// endregion

// region: happy-eyeballs
// happy eyeballs (RFC 8305): try IPv6 and IPv4 addresses in turn, 100 ms each before the next starts
const Eyeballs = NodeClient.layer({
  dns: { autoSelectFamily: true, autoSelectFamilyAttemptTimeout: "100 millis" }
})
// endregion

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  const port = new URL(server.urls.http).port

  yield* Effect.gen(function*() {
    // the server is reached by a name only the table knows; the cache answers the second time
    assert.strictEqual(yield* Client.text(HttpClientRequest.get(`http://api.internal:${port}/`)), "hello")
    assert.strictEqual(yield* Client.text(HttpClientRequest.get(`http://api.internal:${port}/`)), "hello")
    assert.strictEqual(asked.filter((q) => q === "A api.internal").length, 1)
    assert.strictEqual(
      yield* whyNot(`http://typo.internal:${port}/`),
      "ENOTFOUND (temporary: false): A typo.internal → ENOTFOUND, AAAA typo.internal → ENODATA"
    )
    const error = yield* Effect.flip(Client.text(HttpClientRequest.get(`http://typo.internal:${port}/`)))
    assert.ok(Errors.isDnsError(error))
  }).pipe(Effect.scoped, Effect.provide(ClientLive))

  yield* Effect.gen(function*() {
    assert.strictEqual(yield* Client.text(HttpClientRequest.get(`http://api.internal:${port}/`)), "hello")
  }).pipe(Effect.scoped, Effect.provide(FromContext))

  yield* Effect.gen(function*() {
    assert.strictEqual(yield* Client.text(HttpClientRequest.get(server.urls.http)), "hello")
  }).pipe(Effect.scoped, Effect.provide(Eyeballs))
}).pipe(Effect.scoped, Effect.provide(FaultServer.layer(scenario)))
