/**
 * Toxiproxy's HTTP control API over FaultProxy: the routes, JSON shapes and
 * status codes of Toxiproxy 2 (`api.go`), so Toxiproxy clients in any
 * language drive fault proxies without the Go binary.
 *
 * @internal
 */
import * as http from "node:http"
import type * as net from "node:net"
import type { Handle } from "../../FaultProxy.js"
import type { Handle as ApiHandle, Options as ApiOptions } from "../../ToxiproxyApi.js"
import { parseUpstream, start } from "./proxy.js"
import { ApiError, parseNew, parseUpdate, toToxic, type ToxicJson } from "./toxics.js"

/** The version `/version` reports: Toxiproxy's API level, and what really answers. */
export const VERSION = "2.12.0-steadfast.0.1.0"

interface Entry {
  readonly name: string
  /** As given (`"127.0.0.1:0"`), until the proxy listens: then the real address. */
  listen: string
  upstream: string
  enabled: boolean
  handle: Handle
  readonly toxics: Map<string, ToxicJson>
}

const notFound = () => new ApiError(404, "proxy not found")

const hostPort = (text: string, field: string): { host: string; port: number } => {
  try {
    const { host, port } = parseUpstream(text)
    return { host: host === "localhost" || host === "" ? "127.0.0.1" : host, port }
  } catch {
    throw new ApiError(400, `bad request body: ${field} must be "host:port" (got ${JSON.stringify(text)})`)
  }
}

const address = (host: string, port: number) => `${host.includes(":") ? `[${host}]` : host}:${port}`

class Proxies {
  readonly byName = new Map<string, Entry>()
  constructor(readonly seed: number) {}

  json(entry: Entry) {
    return {
      name: entry.name,
      listen: entry.listen,
      upstream: entry.upstream,
      enabled: entry.enabled,
      toxics: this.toxics(entry)
    }
  }

  /** Toxiproxy lists upstream toxics, then downstream ones. */
  toxics(entry: Entry): Array<ToxicJson> {
    const all = [...entry.toxics.values()]
    return [...all.filter((t) => t.stream === "upstream"), ...all.filter((t) => t.stream === "downstream")]
  }

  get(name: string): Entry {
    const entry = this.byName.get(name)
    if (entry === undefined) throw notFound()
    return entry
  }

  private async open(listen: string, upstream: string, toxics: ReadonlyArray<ToxicJson>): Promise<Handle> {
    const at = hostPort(listen, "listen")
    const to = hostPort(upstream, "upstream")
    try {
      return await start({
        upstream: to,
        listen: at,
        seed: this.seed,
        toxics: toxics.map(toToxic)
      })
    } catch (error) {
      throw new ApiError(500, `could not listen on ${listen}: ${(error as Error).message}`)
    }
  }

  async create(body: unknown, replace: boolean): Promise<Entry> {
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new ApiError(400, "bad request body: expected a JSON object")
    }
    const b = body as Record<string, unknown>
    const name = typeof b["name"] === "string" ? b["name"] : ""
    const upstream = typeof b["upstream"] === "string" ? b["upstream"] : ""
    const listen = typeof b["listen"] === "string" && b["listen"] !== "" ? b["listen"] : "127.0.0.1:0"
    const enabled = typeof b["enabled"] === "boolean" ? b["enabled"] : true
    if (name === "") throw new ApiError(400, "missing required field: name")
    if (upstream === "") throw new ApiError(400, "missing required field: upstream")
    hostPort(upstream, "upstream")
    const existing = this.byName.get(name)
    if (existing !== undefined) {
      if (!replace) throw new ApiError(409, "proxy already exists")
      if (existing.upstream === upstream && (existing.listen === listen || listen.endsWith(":0"))) return existing
      await this.remove(name)
    }
    const handle = await this.open(listen, upstream, [])
    if (!enabled) await handle.down()
    const entry: Entry = {
      name,
      listen: address(handle.host, handle.port),
      upstream,
      enabled,
      handle,
      toxics: new Map()
    }
    this.byName.set(name, entry)
    return entry
  }

  async update(name: string, body: unknown): Promise<Entry> {
    const entry = this.get(name)
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new ApiError(400, "bad request body: expected a JSON object")
    }
    const b = body as Record<string, unknown>
    const listen = typeof b["listen"] === "string" && b["listen"] !== "" ? b["listen"] : entry.listen
    const upstream = typeof b["upstream"] === "string" && b["upstream"] !== "" ? b["upstream"] : entry.upstream
    const enabled = typeof b["enabled"] === "boolean" ? b["enabled"] : entry.enabled
    if (listen !== entry.listen || upstream !== entry.upstream) {
      // a new address or upstream restarts the proxy and drops its connections, as in Toxiproxy
      await entry.handle.stop()
      entry.handle = await this.open(listen, upstream, [...entry.toxics.values()])
      entry.listen = address(entry.handle.host, entry.handle.port)
      entry.upstream = upstream
      if (!entry.enabled) await entry.handle.down()
    }
    if (enabled !== entry.enabled) {
      if (enabled) await entry.handle.up()
      else await entry.handle.down()
      entry.enabled = enabled
    }
    return entry
  }

  async remove(name: string): Promise<void> {
    const entry = this.get(name)
    this.byName.delete(name)
    await entry.handle.stop()
  }

  addToxic(entry: Entry, body: unknown): ToxicJson {
    const toxic = parseNew(body)
    if (entry.toxics.has(toxic.name)) throw new ApiError(409, "toxic already exists")
    entry.toxics.set(toxic.name, toxic)
    entry.handle.setToxic(toToxic(toxic))
    return toxic
  }

  toxic(entry: Entry, name: string): ToxicJson {
    const toxic = entry.toxics.get(name)
    if (toxic === undefined) throw new ApiError(404, "toxic not found")
    return toxic
  }

  updateToxic(entry: Entry, name: string, body: unknown): ToxicJson {
    const toxic = parseUpdate(this.toxic(entry, name), body)
    entry.toxics.set(name, toxic)
    entry.handle.setToxic(toToxic(toxic))
    return toxic
  }

  removeToxic(entry: Entry, name: string): void {
    this.toxic(entry, name)
    entry.toxics.delete(name)
    entry.handle.removeToxic(name)
  }

  async reset(): Promise<void> {
    for (const entry of this.byName.values()) {
      entry.toxics.clear()
      entry.handle.clearToxics()
      if (!entry.enabled) {
        await entry.handle.up()
        entry.enabled = true
      }
    }
  }

  async stop(): Promise<void> {
    const all = [...this.byName.values()]
    this.byName.clear()
    await Promise.all(all.map((e) => e.handle.stop()))
  }
}

const readBody = (request: http.IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > 1024 * 1024) reject(new ApiError(413, "request body too large"))
      else chunks.push(chunk)
    })
    request.on("error", reject)
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8").trim()
      if (text === "") return resolve(undefined)
      try {
        resolve(JSON.parse(text))
      } catch (error) {
        reject(new ApiError(400, `bad request body: ${(error as Error).message}`))
      }
    })
  })

type Route = (proxies: Proxies, params: ReadonlyArray<string>, body: () => Promise<unknown>) => Promise<
  { readonly status: number; readonly json?: unknown }
>

const ok = (json: unknown, status = 200) => ({ status, json })
const noContent = { status: 204 }

/** Method and path pattern → handler, as in Toxiproxy's router. */
const routes: ReadonlyArray<readonly [string, RegExp, Route]> = [
  ["POST", /^\/reset$/, async (p) => (await p.reset(), noContent)],
  ["GET", /^\/version$/, async () => ok({ version: VERSION })],
  ["GET", /^\/proxies$/, async (p) => ok(Object.fromEntries([...p.byName].map(([n, e]) => [n, p.json(e)])))],
  ["POST", /^\/proxies$/, async (p, _, body) => ok(p.json(await p.create(await body(), false)), 201)],
  ["POST", /^\/populate$/, async (p, _, body) => {
    const list = await body()
    if (!Array.isArray(list)) throw new ApiError(400, "bad request body: expected an array of proxies")
    const done: Array<Entry> = []
    for (const item of list) done.push(await p.create(item, true))
    return ok({ proxies: done.map((e) => p.json(e)) }, 201)
  }],
  ["GET", /^\/proxies\/([^/]+)$/, async (p, [name]) => ok(p.json(p.get(name!)))],
  ["POST|PATCH", /^\/proxies\/([^/]+)$/, async (p, [name], body) => ok(p.json(await p.update(name!, await body())))],
  ["DELETE", /^\/proxies\/([^/]+)$/, async (p, [name]) => (await p.remove(name!), noContent)],
  ["GET", /^\/proxies\/([^/]+)\/toxics$/, async (p, [name]) => ok(p.toxics(p.get(name!)))],
  ["POST", /^\/proxies\/([^/]+)\/toxics$/, async (p, [name], body) => ok(p.addToxic(p.get(name!), await body()))],
  ["GET", /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/, async (p, [name, toxic]) => ok(p.toxic(p.get(name!), toxic!))],
  [
    "POST|PATCH",
    /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
    async (p, [name, toxic], body) => ok(p.updateToxic(p.get(name!), toxic!, await body()))
  ],
  ["DELETE", /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/, async (p, [name, toxic]) => {
    p.removeToxic(p.get(name!), toxic!)
    return noContent
  }]
]

const send = (response: http.ServerResponse, status: number, json?: unknown) => {
  if (json === undefined) {
    response.writeHead(status).end()
    return
  }
  const body = JSON.stringify(json)
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  response.end(body)
}

/** Starts the API; `populate` creates proxies first, like Toxiproxy's `-config`. */
export const startApi = async (options: ApiOptions = {}): Promise<ApiHandle> => {
  const proxies = new Proxies((options.seed ?? 0) >>> 0)
  for (const item of options.populate ?? []) await proxies.create(item, true)
  const sockets = new Set<net.Socket>()
  const server = http.createServer((request, response) => {
    // Toxiproxy refuses browsers, so a web page cannot drive a local proxy
    if ((request.headers["user-agent"] ?? "").startsWith("Mozilla/")) {
      return send(response, 403, { error: "User agent not allowed", status: 403 })
    }
    const path = decodeURI(new URL(request.url ?? "/", "http://api").pathname)
    const method = request.method ?? "GET"
    const matching = routes.filter(([, pattern]) => pattern.test(path))
    const route = matching.find(([methods]) => methods.split("|").includes(method))
    if (route === undefined) {
      return matching.length > 0
        ? send(response, 405, { error: "method not allowed", status: 405 })
        : send(response, 404, { error: "404 page not found", status: 404 })
    }
    const params = route[1].exec(path)!.slice(1)
    route[2](proxies, params, () => readBody(request)).then(
      ({ json, status }) => send(response, status, json),
      (error: unknown) => {
        const e = error instanceof ApiError ? error : new ApiError(500, String((error as Error)?.message ?? error))
        send(response, e.status, { error: e.message, status: e.status })
      }
    )
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })
  const host = options.host ?? "127.0.0.1"
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen({ host, port: options.port ?? 8474 }, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as net.AddressInfo).port
  let stopping: Promise<void> | undefined
  return {
    host,
    port,
    url: `http://${address(host, port)}`,
    proxy: (name) => proxies.byName.get(name)?.handle,
    stop: () =>
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          for (const socket of sockets) socket.destroy()
        })
        await proxies.stop()
      })()
  }
}
