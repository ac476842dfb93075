/**
 * The bench's Effect 3 seam (docs/design.md, "Two Effect lines"): Effect's
 * own HTTP client on this line (`@effect/platform`'s `NodeHttpClient` over an
 * undici Agent), and the runtime's logger removed. `lines/effect4/bench`
 * compiles the same shared files with `src/line/effect4/platform.ts`.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { ClientSpec } from "../../base.js"
import { effectInstance, undiciAgent } from "../../base.js"
import type { Shape } from "../../load.js"

/** Which Effect line this build measures. */
export const line = "Effect 3"

/** The packages whose versions the report names. */
export const versions: ReadonlyArray<string> = ["undici", "effect", "@effect/platform", "@effect/platform-node"]

/**
 * Effect's own client: `NodeHttpClient.makeUndici(agent)` + `filterStatusOk`,
 * and with `resilient`, `retryTransient` and `Effect.timeout` around each request.
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
    ? "`NodeHttpClient.makeUndici(agent)` + `filterStatusOk` + `retryTransient({ times: 3, schedule: " +
      "exponential(100 ms) })`, each request in `Effect.timeout(30 s)`, body via `response.json`"
    : "`NodeHttpClient.makeUndici(agent)` + `filterStatusOk`, body via `response.json`",
  make: async (origin, concurrency) => {
    const agent = undiciAgent(concurrency)
    const base = HttpClient.filterStatusOk(NodeHttpClient.makeUndici(agent))
    const url = `${origin}/`
    const send = resilient
      ? Effect.timeout(
        Effect.flatMap(
          HttpClient.retryTransient(base, { times: 3, schedule: Schedule.exponential("100 millis") }).get(url),
          (response) => response.json
        ),
        "30 seconds"
      )
      : Effect.flatMap(base.get(url), (response) => response.json)
    return effectInstance(Layer.empty, send, concurrency, tracing, () => agent.close(), shape)
  }
})
