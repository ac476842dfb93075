/**
 * The test side's view of `@effect/platform-node` on the Effect 3 line (see
 * docs/design.md, "Two Effect lines"): the platform's own undici client over
 * a dispatcher. Same names and signatures as `../effect4/platformNode.ts`.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Dispatcher } from "undici"

/** `@effect/platform-node`'s undici client sending through `dispatcher`. */
export const undiciClient = (dispatcher: Dispatcher): HttpClient.HttpClient => NodeHttpClient.makeUndici(dispatcher)
