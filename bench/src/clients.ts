/**
 * The clients under test. Each makes an instance per concurrency with its
 * own pool sized to that concurrency, sends `GET /`, checks the status and
 * parses the JSON body.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Client } from "@steadfast/core"
import axios from "axios"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import { got } from "got"
import * as http from "node:http"
import { Agent, fetch as undiciFetch } from "undici"
import { type Bound, driveEffect, driveEffectEach, drivePromise, type Sample, type Shape } from "./load.js"
import * as Steadfast from "./steadfast.js"

export interface Instance {
  readonly run: (bound: Bound) => Promise<Sample>
  readonly close: () => Promise<void>
}

export interface ClientSpec {
  /** Stable key (tests, ratios). */
  readonly id: string
  /** Display name. */
  readonly name: string
  /** For Effect clients: whether the tracer is enabled during the run. */
  readonly tracing: "on" | "off" | undefined
  /** For Effect clients: worker fibers, or a fiber per request. */
  readonly shape?: Shape
  /** What exactly runs, for the method section. */
  readonly describe: string
  readonly make: (origin: string, concurrency: number) => Promise<Instance>
}

/** The reference every ratio is taken against. */
export const REFERENCE = "undici-request"

/** The Effect floor of each shape: raw undici in `Effect.tryPromise`, the least an Effect client can cost. */
export const FLOOR: Record<Shape, string> = { workers: "effect-floor", each: "effect-floor-each" }

const undiciAgent = (concurrency: number) => new Agent({ connections: concurrency, keepAliveTimeout: 60_000 })

const expectOk = (status: number) => {
  if (status !== 200) throw new Error(`unexpected status ${status}`)
}

const promiseInstance = (
  send: () => Promise<unknown>,
  concurrency: number,
  close: () => Promise<void>
): Instance => ({ run: (bound) => drivePromise(send, concurrency, bound), close })

/**
 * Effect's default logger prints to the console; the benchmark removes it so
 * log lines (steadfast logs each retry) cost their formatting, not terminal I/O.
 */
export const quietLogger: Layer.Layer<never> = Logger.remove(Logger.defaultLogger)

/**
 * An Effect client: `send` runs on a runtime built from `layer` (plus
 * {@link quietLogger}) before any measurement; with tracing "off" the whole
 * run is wrapped in `Effect.withTracerEnabled(false)` (what
 * `Layer.setTracerEnabled(false)` does).
 */
const effectInstance = async <E, R>(
  layer: Layer.Layer<R>,
  send: Effect.Effect<unknown, E, R>,
  concurrency: number,
  tracing: "on" | "off",
  close: () => Promise<void>,
  shape: Shape = "workers"
): Promise<Instance> => {
  const runtime = ManagedRuntime.make(Layer.merge(layer, quietLogger))
  await runtime.runPromise(Effect.void)
  const runPromise = (effect: Effect.Effect<void, never, R>) =>
    runtime.runPromise(tracing === "off" ? Effect.withTracerEnabled(effect, false) : effect)
  return {
    run: (bound) =>
      shape === "each"
        ? driveEffectEach(send, concurrency, bound, runPromise)
        : driveEffect(send, concurrency, bound, runPromise),
    close: async () => {
      await runtime.dispose()
      await close()
    }
  }
}

const platformClient = (
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

/**
 * The Effect floor: raw undici wrapped in `Effect.tryPromise`, in the given
 * shape. What any Effect client costs at the least; steadfast's ratios to it
 * are the cost of steadfast itself.
 */
const effectFloor = (shape: Shape): ClientSpec => ({
  id: FLOOR[shape],
  name: shape === "each" ? "Effect floor (fiber/request)" : "Effect floor",
  tracing: "off",
  shape,
  describe: "`Effect.tryPromise(() => agent.request(…).then(body.json))`, raw undici Agent" +
    (shape === "each" ? ", a fiber per request (`Effect.forEach`)" : ", worker fibers"),
  make: async (origin, concurrency) => {
    const agent = undiciAgent(concurrency)
    const send = Effect.tryPromise(async () => {
      const { statusCode, body } = await agent.request({ origin, path: "/", method: "GET" })
      if (statusCode !== 200) {
        await body.dump()
        expectOk(statusCode)
      }
      return body.json()
    })
    return effectInstance(Layer.empty, send, concurrency, "off", () => agent.close(), shape)
  }
})

const steadfastClient = (
  id: string,
  name: string,
  tracing: "on" | "off",
  options: Client.Options,
  what: string,
  shape: Shape = "workers"
): ClientSpec => ({
  id,
  name,
  tracing,
  shape,
  describe: `${what}; \`client.json(HttpClientRequest.get(url))\`${
    shape === "each" ? ", a fiber per request (`Effect.forEach`)" : ""
  }`,
  make: async (origin, concurrency) => {
    const url = `${origin}/`
    const send = Effect.flatMap(Client.Client, (client) => client.json(HttpClientRequest.get(url)))
    return effectInstance(Steadfast.layer(concurrency, options), send, concurrency, tracing, async () => {}, shape)
  }
})

export const clients: ReadonlyArray<ClientSpec> = [
  {
    id: REFERENCE,
    name: "undici Agent.request",
    tracing: undefined,
    describe: "`agent.request({ origin, path, method })`, `body.json()`; undici Agent, `connections` = concurrency",
    make: async (origin, concurrency) => {
      const agent = undiciAgent(concurrency)
      const send = async () => {
        const { statusCode, body } = await agent.request({ origin, path: "/", method: "GET" })
        if (statusCode !== 200) {
          await body.dump()
          expectOk(statusCode)
        }
        return body.json()
      }
      return promiseInstance(send, concurrency, () => agent.close())
    }
  },
  {
    id: "undici-fetch",
    name: "undici fetch",
    tracing: undefined,
    describe: "undici's `fetch(url, { dispatcher: agent })`, `response.json()`",
    make: async (origin, concurrency) => {
      const agent = undiciAgent(concurrency)
      const url = `${origin}/`
      const send = async () => {
        const response = await undiciFetch(url, { dispatcher: agent })
        expectOk(response.status)
        return response.json()
      }
      return promiseInstance(send, concurrency, () => agent.close())
    }
  },
  {
    id: "global-fetch",
    name: "Node global fetch",
    tracing: undefined,
    describe: `Node ${process.version}'s global \`fetch\` (its bundled undici ${
      process.versions["undici"] ?? "?"
    }, default global dispatcher: no connection cap)`,
    make: async (origin, concurrency) => {
      const url = `${origin}/`
      const send = async () => {
        const response = await globalThis.fetch(url)
        expectOk(response.status)
        return response.json()
      }
      return promiseInstance(send, concurrency, async () => {})
    }
  },
  {
    id: "node-http",
    name: "node:http",
    tracing: undefined,
    describe: "`http.get` with `new http.Agent({ keepAlive: true, maxSockets: concurrency })`, `JSON.parse`",
    make: async (origin, concurrency) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
      const url = `${origin}/`
      const send = () =>
        new Promise<unknown>((resolve, reject) => {
          const req = http.get(url, { agent }, (res) => {
            const chunks: Array<Buffer> = []
            res.on("data", (chunk: Buffer) => chunks.push(chunk))
            res.on("error", reject)
            res.on("end", () => {
              try {
                expectOk(res.statusCode ?? 0)
                resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")))
              } catch (error) {
                reject(error)
              }
            })
          })
          req.on("error", reject)
        })
      return promiseInstance(send, concurrency, async () => agent.destroy())
    }
  },
  effectFloor("workers"),
  effectFloor("each"),
  platformClient("platform", "platform makeUndici", "off", false),
  platformClient("platform-each", "platform makeUndici (fiber/request)", "off", false, "each"),
  platformClient("platform-traced", "platform makeUndici (tracing on)", "on", false),
  platformClient("platform-resilient", "platform + retryTransient + timeout", "off", true),
  {
    id: "got",
    name: "got",
    tracing: undefined,
    describe: "`got.extend({ agent: { http: keep-alive http.Agent(maxSockets) } })`, `.json()`; got's defaults " +
      "(retry 2, no timeouts)",
    make: async (origin, concurrency) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
      const client = got.extend({ agent: { http: agent } })
      const url = `${origin}/`
      return promiseInstance(() => client.get(url).json(), concurrency, async () => agent.destroy())
    }
  },
  {
    id: "axios",
    name: "axios",
    tracing: undefined,
    describe: "`axios.create({ httpAgent: keep-alive http.Agent(maxSockets) })`, `.get(url)` → `data`; " +
      "axios's defaults (http adapter, JSON parsing)",
    make: async (origin, concurrency) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
      const client = axios.create({ httpAgent: agent })
      const url = `${origin}/`
      return promiseInstance(async () => (await client.get(url)).data, concurrency, async () => agent.destroy())
    }
  },
  steadfastClient(
    "steadfast-default",
    "steadfast default",
    "off",
    Steadfast.defaults,
    "`Client.layer()`: default policy (3 retries, connect/response/body-idle timeouts, deadline, redirects, " +
      "spans and metrics on)"
  ),
  steadfastClient(
    "steadfast-off",
    "steadfast everything off",
    "off",
    Steadfast.everythingOff,
    "`Client.layer({ retry: Retry.none, timeouts: all off, redirects: Redirects.none, spans: false, metrics: false })`"
  ),
  steadfastClient(
    "steadfast-traced",
    "steadfast default (tracing on)",
    "on",
    Steadfast.defaults,
    "`Client.layer()`, default policy, Effect's default tracer enabled (native spans, no exporter)"
  ),
  steadfastClient(
    "steadfast-default-each",
    "steadfast default (fiber/request)",
    "off",
    Steadfast.defaults,
    "`Client.layer()`: default policy",
    "each"
  ),
  steadfastClient(
    "steadfast-off-each",
    "steadfast everything off (fiber/request)",
    "off",
    Steadfast.everythingOff,
    "everything off",
    "each"
  ),
  steadfastClient(
    "steadfast-traced-each",
    "steadfast default (tracing on, fiber/request)",
    "on",
    Steadfast.defaults,
    "`Client.layer()`, default policy, Effect's default tracer enabled",
    "each"
  )
]
