/**
 * The test side's view of `@effect/platform-node` on the Effect 4 line (see
 * docs/design.md, "Two Effect lines"): the platform's own undici client over
 * a dispatcher, which Effect 4 takes from its `Dispatcher` service. Same
 * names and signatures as `../effect3/platformNode.ts`.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type { Dispatcher } from "undici"

/** `@effect/platform-node`'s undici client sending through `dispatcher`. */
export const undiciClient = (dispatcher: Dispatcher): HttpClient.HttpClient =>
  // undici 7's dispatcher (the testkit's) where the type names undici 8's (the one @effect/platform-node 4 bundles)
  Effect.runSync(Effect.provideService(NodeHttpClient.makeUndici, NodeHttpClient.Dispatcher, dispatcher as never))
