/**
 * The fault proxy's Toxiproxy-compatible API, driven by the real Toxiproxy
 * client for Node (`toxiproxy-node-client`, as tests written for Toxiproxy
 * use it), with what a loopback upstream server saw as the evidence. Status
 * codes and JSON shapes are also checked with plain requests.
 *
 * it.live / it.scopedLive: real sockets on 127.0.0.1.
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"
import { type Proxy, Toxiproxy } from "toxiproxy-node-client"
import * as ToxiproxyApi from "../src/ToxiproxyApi.js"

/** Polls `f` (every 5 ms, for at most 2 s) until it holds; whether it did. */
const eventually = (f: () => boolean) =>
  Effect.promise(async () => {
    const until = performance.now() + 2_000
    while (!f() && performance.now() < until) await new Promise((r) => setTimeout(r, 5))
    return f()
  })

/** A loopback upstream that records what it receives and answers each chunk with `ack:<bytes so far>`. */
const upstream = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{
      readonly address: string
      readonly connections: () => number
      readonly received: () => ReadonlyArray<string>
      readonly open: () => number
      readonly close: () => Promise<void>
    }>((resolve) => {
      const sockets = new Set<net.Socket>()
      const received: Array<string> = []
      let connections = 0
      const server = net.createServer((socket) => {
        connections++
        const index = received.length
        received.push("")
        sockets.add(socket)
        socket.on("error", () => {})
        socket.once("close", () => sockets.delete(socket))
        socket.on("data", (chunk) => {
          received[index] += chunk.toString("latin1")
          socket.write(`ack:${received[index]!.length};`)
        })
      })
      server.listen({ host: "127.0.0.1", port: 0 }, () =>
        resolve({
          address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
          connections: () => connections,
          received: () => received,
          open: () => sockets.size,
          close: () =>
            new Promise((done) => {
              for (const s of sockets) s.destroy()
              server.close(() => done())
            })
        }))
    })
  ),
  (u) => Effect.promise(() => u.close())
)

/**
 * Connects to `listen`, sends `message`, and collects what comes back until
 * the connection ends: the proxy or the upstream closes it, or `done` holds
 * (by default: the upstream acknowledged the whole message) and the client
 * closes it. Bounded: after 2 s the client closes it anyway.
 */
const talk = (listen: string, message: string, done?: (reply: string) => boolean) =>
  Effect.promise(() =>
    new Promise<{ readonly reply: string; readonly error: string | undefined }>((resolve) => {
      const [host, port] = listen.split(":")
      const socket = net.connect({ host: host!, port: Number(port) })
      const finished = done ?? ((reply: string) => reply.includes(`ack:${message.length};`))
      let reply = ""
      let error: string | undefined
      const started = performance.now()
      const poll = setInterval(() => {
        if (finished(reply) || performance.now() - started > 2_000) socket.end()
      }, 5)
      socket.on("connect", () => socket.write(message))
      socket.on("data", (chunk) => (reply += chunk.toString("latin1")))
      socket.on("error", (e: NodeJS.ErrnoException) => (error = e.code))
      socket.on("close", () => {
        clearInterval(poll)
        resolve({ reply, error })
      })
    })
  )

const api = ToxiproxyApi.make({ port: 0 })

const client = (url: string) => new Toxiproxy(url)

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

describe("Toxiproxy API: the real toxiproxy-node-client drives it", () => {
  it.scopedLive("creates, lists, gets, disables, enables and deletes a proxy", () =>
    Effect.gen(function*() {
      const server = yield* upstream
      const control = yield* api
      const toxiproxy = client(control.url)
      const proxy = yield* promise(() =>
        toxiproxy.createProxy({ name: "db", listen: "127.0.0.1:0", upstream: server.address })
      )
      strictEqual(proxy.name, "db")
      strictEqual(proxy.upstream, server.address)
      assertTrue(/^127\.0\.0\.1:\d+$/.test(proxy.listen) && !proxy.listen.endsWith(":0"), proxy.listen)
      strictEqual(proxy.enabled, true)

      const first = yield* talk(proxy.listen, "hello")
      strictEqual(first.reply, "ack:5;")
      deepStrictEqual(server.received(), ["hello"])

      const all = yield* promise(() => toxiproxy.getAll())
      deepStrictEqual(Object.keys(all), ["db"])
      strictEqual((yield* promise(() => toxiproxy.get("db"))).listen, proxy.listen)

      const disabled = yield* promise(() =>
        proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream })
      )
      strictEqual(disabled.enabled, false)
      strictEqual((yield* talk(proxy.listen, "nobody")).error, "ECONNREFUSED")
      strictEqual(server.connections(), 1) // the upstream never saw the refused one

      yield* promise(() => disabled.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream }))
      strictEqual((yield* talk(proxy.listen, "back")).reply, "ack:4;")
      strictEqual(server.connections(), 2)

      yield* promise(() => proxy.remove())
      deepStrictEqual(Object.keys(yield* promise(() => toxiproxy.getAll())), [])
      strictEqual((yield* talk(proxy.listen, "gone")).error, "ECONNREFUSED")
      const error = yield* promise(() => toxiproxy.get("db").then(() => undefined, (e: Error) => e.message))
      assertTrue(error?.includes("404") === true, String(error))
    }))

  it.scopedLive("limit_data upstream: the server sees exactly that many bytes, then the connection closes", () =>
    Effect.gen(function*() {
      const server = yield* upstream
      const control = yield* api
      const proxy: Proxy = yield* promise(() =>
        client(control.url).createProxy({ name: "limited", listen: "127.0.0.1:0", upstream: server.address })
      )
      const toxic = yield* promise(() =>
        proxy.addToxic({
          name: "cut",
          type: "limit_data",
          stream: "upstream",
          toxicity: 1,
          attributes: { bytes: 4 }
        })
      )
      deepStrictEqual(
        {
          name: toxic.name,
          type: toxic.type,
          stream: toxic.stream,
          toxicity: toxic.toxicity,
          attributes: toxic.attributes
        },
        { name: "cut", type: "limit_data", stream: "upstream", toxicity: 1, attributes: { bytes: 4 } }
      )
      yield* talk(proxy.listen, "0123456789")
      deepStrictEqual(server.received(), ["0123"])
      assertTrue(yield* eventually(() => server.open() === 0), "the upstream connection closes")

      // updated through the client: now 6 bytes
      const updated = yield* promise(() => toxic.update({ ...toxic.toJson(), attributes: { bytes: 6 } }))
      deepStrictEqual(updated.attributes, { bytes: 6 })
      yield* talk(proxy.listen, "abcdefghij")
      deepStrictEqual(server.received(), ["0123", "abcdef"])
    }))

  it.scopedLive("reset_peer: the client gets a reset; timeout upstream: the server gets nothing; /reset clears", () =>
    Effect.gen(function*() {
      const server = yield* upstream
      const control = yield* api
      const toxiproxy = client(control.url)
      const proxy = yield* promise(() =>
        toxiproxy.createProxy({ name: "flaky", listen: "127.0.0.1:0", upstream: server.address })
      )
      const reset = yield* promise(() =>
        proxy.addToxic({
          name: "rst",
          type: "reset_peer",
          stream: "downstream",
          toxicity: 1,
          attributes: { timeout: 0 }
        })
      )
      strictEqual((yield* talk(proxy.listen, "x")).error, "ECONNRESET")
      yield* promise(() => reset.remove())

      yield* promise(() =>
        proxy.addToxic({ name: "drop", type: "timeout", stream: "upstream", toxicity: 1, attributes: { timeout: 0 } })
      )
      const before = server.connections()
      // done once the upstream has the connection: no byte can come back
      const dropped = yield* talk(proxy.listen, "lost", () => server.connections() > before)
      strictEqual(dropped.reply, "")
      // the server accepted a connection but no byte of "lost" reached it
      strictEqual(server.received().at(-1), "")

      yield* promise(() => toxiproxy.reset())
      deepStrictEqual((yield* promise(() => toxiproxy.get("flaky"))).toJson().enabled, true)
      strictEqual((yield* talk(proxy.listen, "ok")).reply, "ack:2;")
    }))

  it.scopedLive("latency, bandwidth, slicer and slow_close pass the bytes through intact", () =>
    Effect.gen(function*() {
      const server = yield* upstream
      const control = yield* api
      const proxy = yield* promise(() =>
        client(control.url).createProxy({ name: "slow", listen: "127.0.0.1:0", upstream: server.address })
      )
      yield* promise(() =>
        proxy.addToxic({
          name: "lat",
          type: "latency",
          stream: "downstream",
          toxicity: 1,
          attributes: { latency: 20, jitter: 5 }
        })
      )
      yield* promise(() =>
        proxy.addToxic({ name: "bw", type: "bandwidth", stream: "upstream", toxicity: 1, attributes: { rate: 100 } })
      )
      yield* promise(() =>
        proxy.addToxic({
          name: "slices",
          type: "slicer",
          stream: "upstream",
          toxicity: 1,
          attributes: { average_size: 3, size_variation: 1, delay: 100 }
        })
      )
      yield* promise(() =>
        proxy.addToxic({
          name: "late-fin",
          type: "slow_close",
          stream: "downstream",
          toxicity: 1,
          attributes: { delay: 10 }
        })
      )
      const toxics = (yield* promise(() => client(control.url).get("slow"))).toJson()
      strictEqual(toxics.name, "slow")
      const message = "the quick brown fox"
      yield* talk(proxy.listen, message)
      deepStrictEqual(server.received(), [message])
    }))

  it.scopedLive("populate creates or keeps proxies, and getVersion answers", () =>
    Effect.gen(function*() {
      const server = yield* upstream
      const control = yield* api
      const toxiproxy = client(control.url)
      const first = yield* promise(() =>
        toxiproxy.populate([{ name: "a", listen: "127.0.0.1:0", upstream: server.address }])
      )
      const again = yield* promise(() =>
        toxiproxy.populate([{ name: "a", listen: "127.0.0.1:0", upstream: server.address }, {
          name: "b",
          listen: "127.0.0.1:0",
          upstream: server.address
        }])
      )
      strictEqual(again["a"]!.listen, first["a"]!.listen) // same upstream: kept, not restarted
      deepStrictEqual(Object.keys(again).sort(), ["a", "b"])
      const version = JSON.parse(yield* promise(() => toxiproxy.getVersion())) as { version: string }
      assertTrue(version.version.startsWith("2."), version.version)
    }))
})

describe("Toxiproxy API: status codes and shapes", () => {
  const call = (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    Effect.promise(async () => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { "content-type": "application/json", ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      const text = await response.text()
      return { status: response.status, json: text === "" ? undefined : JSON.parse(text) }
    })

  it.scopedLive("errors are Toxiproxy's: 400, 404, 409, with { error, status }", () =>
    Effect.gen(function*() {
      const server = yield* upstream
      const { url } = yield* api
      deepStrictEqual(yield* call(url, "POST", "/proxies", { name: "x" }), {
        status: 400,
        json: { error: "missing required field: upstream", status: 400 }
      })
      strictEqual((yield* call(url, "POST", "/proxies", { name: "x", upstream: server.address })).status, 201)
      deepStrictEqual(yield* call(url, "POST", "/proxies", { name: "x", upstream: server.address }), {
        status: 409,
        json: { error: "proxy already exists", status: 409 }
      })
      deepStrictEqual(yield* call(url, "GET", "/proxies/nope"), {
        status: 404,
        json: { error: "proxy not found", status: 404 }
      })
      deepStrictEqual(yield* call(url, "POST", "/proxies/x/toxics", { type: "teleport" }), {
        status: 400,
        json: { error: "invalid toxic type", status: 400 }
      })
      deepStrictEqual(yield* call(url, "POST", "/proxies/x/toxics", { type: "latency", stream: "sideways" }), {
        status: 400,
        json: { error: "stream was invalid, can be either upstream or downstream", status: 400 }
      })
      const created = yield* call(url, "POST", "/proxies/x/toxics", { type: "latency", attributes: { latency: 5 } })
      deepStrictEqual(created, {
        status: 200,
        json: {
          name: "latency_downstream",
          type: "latency",
          stream: "downstream",
          toxicity: 1,
          attributes: { latency: 5, jitter: 0 }
        }
      })
      strictEqual((yield* call(url, "POST", "/proxies/x/toxics", { type: "latency" })).status, 409)
      strictEqual((yield* call(url, "DELETE", "/proxies/x/toxics/latency_downstream")).status, 204)
      strictEqual((yield* call(url, "DELETE", "/proxies/x/toxics/latency_downstream")).status, 404)
      strictEqual((yield* call(url, "GET", "/proxies", undefined, { "user-agent": "Mozilla/5.0" })).status, 403)
      strictEqual((yield* call(url, "POST", "/reset")).status, 204)
      strictEqual((yield* call(url, "DELETE", "/proxies/x")).status, 204)
    }))
})

describe("steadfast-fault-proxy (the bin)", () => {
  it.live("serves the API on the port it is given and stops on SIGTERM", () =>
    Effect.gen(function*() {
      const root = path.resolve(__dirname, "..")
      const child = spawn(
        process.execPath,
        ["--conditions=@steadfast/source", "--import", "tsx", path.join(root, "src/bin/fault-proxy.ts"), "--port", "0"],
        { cwd: root, stdio: ["ignore", "pipe", "pipe"] }
      )
      const url = yield* Effect.promise(() =>
        new Promise<string>((resolve, reject) => {
          let out = ""
          child.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString()
            const match = /Toxiproxy API on (http:\/\/\S+)/.exec(out)
            if (match !== null) resolve(match[1]!)
          })
          child.once("exit", (code) => reject(new Error(`exited with ${code}`)))
        })
      )
      const version = yield* Effect.promise(() => fetch(`${url}/version`).then((r) => r.json()))
      assertTrue(String((version as { version: string }).version).startsWith("2."))
      const code = yield* Effect.promise(() =>
        new Promise<number | null>((resolve) => {
          child.once("exit", (c) => resolve(c))
          child.kill("SIGTERM")
        })
      )
      strictEqual(code, 0)
    }), 20_000)
})
