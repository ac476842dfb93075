/**
 * The clients under test. Each makes an instance per concurrency with its
 * own pool sized to that concurrency, sends `GET /`, checks the status and
 * parses the JSON body.
 */
import { platformClient } from "#line/platform"
import { Client } from "@steadfast/core"
import axios from "axios"
import { got } from "got"
import * as http from "node:http"
import { fetch as undiciFetch } from "undici"
import { type ClientSpec, effectFloor, expectOk, promiseInstance, undiciAgent, undiciReference } from "./base.js"
import type { Shape } from "./load.js"
import * as Steadfast from "./steadfast.js"
import { steadfastClient as steadfastRow } from "./steadfastNode.js"

export { quietLogger } from "#line/logger"
export { type ClientSpec, FLOOR, type Instance, REFERENCE } from "./base.js"

const steadfastClient = (
  id: string,
  name: string,
  tracing: "on" | "off",
  options: Client.Options,
  what: string,
  shape: Shape = "workers"
): ClientSpec => steadfastRow(Steadfast.layer, id, name, tracing, options, what, shape)

export const clients: ReadonlyArray<ClientSpec> = [
  undiciReference,
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
  platformClient("platform-traced-each", "platform makeUndici (tracing on, fiber/request)", "on", false, "each"),
  platformClient("platform-resilient", "platform + retryTransient + timeout", "off", true),
  platformClient("platform-resilient-each", "platform + retryTransient + timeout (fiber/request)", "off", true, "each"),
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
