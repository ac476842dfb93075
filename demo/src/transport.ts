/**
 * The transport of the tour: an undici pool that trusts the fault server's
 * test CA and lets its interceptor play the faults that happen before a
 * connection exists.
 */
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Client } from "@steadfast/core"
import type { FaultServer } from "@steadfast/testkit"
import { Effect, Layer, type Scope } from "effect"
import { Agent } from "undici"

export interface Tour {
  readonly client: Client.ResilientClient
  readonly base: string
  readonly server: FaultServer.Service
  readonly describePool: Effect.Effect<string>
}

export const tourTransport = (server: FaultServer.Service): Effect.Effect<Tour, never, Scope.Scope> =>
  Effect.gen(function*() {
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => new Agent({ connections: 64, connect: { ca: server.ca, timeout: 300 } })),
      (agent) => Effect.promise(() => agent.close())
    )
    const client = yield* Client.make().pipe(
      Effect.provide(Layer.succeed(HttpClient.HttpClient, NodeHttpClient.makeUndici(agent.compose(server.interceptor))))
    )
    return {
      client,
      base: server.urls.https,
      server,
      describePool: Effect.map(
        server.openSockets,
        (n) => `the pool keeps ${n} keep-alive connection(s) open to the server`
      )
    }
  })
