/**
 * The bench's Effect 4 seam (docs/design.md, "Two Effect lines"): Effect 4's
 * own HTTP client (`effect/http` over `@effect/platform-node`'s undici
 * client, on the undici Agent that package bundles), and the runtime's
 * loggers removed. Same names and signatures as `src/line/effect3/platform.ts`.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { ClientSpec } from "../../base.js"
import { effectInstance } from "../../base.js"
import type { Shape } from "../../load.js"

/** Which Effect line this build measures. */
export const line = "Effect 4"

/** The packages whose versions the report names. */
export const versions: ReadonlyArray<string> = ["undici", "effect", "@effect/platform-node"]

/**
 * Effect 4's own client: `NodeHttpClient.makeUndici` over an undici Agent +
 * `filterStatusOk`, and with `resilient`, `retryTransient` (which reads
 * Retry-After) and `HttpClient.timeout` on each attempt, Effect 4's own
 * timeout for a client (it interrupts the attempt and aborts the transport).
 */
export const platformClient = (
  id: string,
  name: string,
  tracing: "on" | "off",
  resilient: boolean,
  shape: Shape = "workers"
): ClientSpec => ({
  id,
  name,
  tracing,
  shape,
  describe: resilient
    ? "Effect 4: `NodeHttpClient.makeUndici` (undici Agent of @effect/platform-node) + `filterStatusOk` + " +
      "`HttpClient.timeout(30 s)` per attempt + `retryTransient({ times: 3, schedule: exponential(100 ms) })`, " +
      "body via `response.json`"
    : "Effect 4: `NodeHttpClient.makeUndici` (undici Agent of @effect/platform-node) + `filterStatusOk`, " +
      "body via `response.json`",
  make: async (origin, concurrency) => {
    const agent = new Undici.Agent({ connections: concurrency, keepAliveTimeout: 60_000 })
    const plain = HttpClient.filterStatusOk(
      Effect.runSync(Effect.provideService(NodeHttpClient.makeUndici, NodeHttpClient.Dispatcher, agent))
    )
    const client = resilient
      ? HttpClient.retryTransient(HttpClient.timeout(plain, "30 seconds"), {
        times: 3,
        schedule: Schedule.exponential("100 millis")
      })
      : plain
    const url = `${origin}/`
    const send = Effect.flatMap(client.get(url), (response) => response.json)
    return effectInstance(Layer.empty, send, concurrency, tracing, () => agent.close(), shape)
  }
})
