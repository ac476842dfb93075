/**
 * The SSRF guard (`allowAddress`): a client that fetches urls given by
 * others refuses connections to addresses it must not reach, whether the
 * host is written as an address (in any spelling) or is a name resolving to
 * one, directly or through a redirect, and however DNS answers from one
 * connection to the next (rebinding). The guard here refuses 127.0.0.1
 * only, so a second server on 127.0.0.2 plays the "public" side; names are
 * resolved by a custom `lookup` (no real DNS).
 *
 * Before issue 18 there was no such guard, and `redirects.allow: () => false`
 * did not refuse anything.
 *
 * it.scopedLive: real sockets.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import { Layer, type Scope } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { NodeClient, type Pool } from "../../src/index.js"

interface Server {
  readonly port: number
  readonly paths: Array<string>
}

/** An HTTP server on `host` that records what it receives; `/to?url` redirects there. */
const server = (host: string, port = 0): Effect.Effect<Server, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; state: Server }>((resume) => {
      const paths: Array<string> = []
      const s = http.createServer((req, res) => {
        paths.push(req.url ?? "")
        const url = new URL(req.url ?? "/", "http://x")
        if (url.pathname === "/to") {
          res.writeHead(302, { location: url.searchParams.get("url") ?? "/" }).end()
        } else res.end("ok")
      })
      s.listen(port, host, () =>
        resume(Effect.succeed({ server: s, state: { port: (s.address() as net.AddressInfo).port, paths } })))
    }),
    ({ server: s }) =>
      Effect.async<void>((resume) => {
        s.close(() =>
          resume(Effect.void)
        )
        s.closeAllConnections()
      })
  ).pipe(Effect.map(({ state }) => state))

/** Refuses 127.0.0.1 in any spelling (mapped IPv6 included), allows the rest of 127/8. */
const notLoopback1 = (address: string) => {
  const bare = address.replace(/^\[|\]$/g, "")
  const host = bare.includes(":") ? new URL(`http://[${bare}]/`).hostname : new URL(`http://${bare}/`).hostname
  return host !== "127.0.0.1" && host !== "[::ffff:7f00:1]"
}

/**
 * A resolver: `outside.test` is 127.0.0.2; any other name is `answers[n]`
 * on its n-th lookup (the last one repeats).
 */
const lookupOf = (answers: ReadonlyArray<string>) => {
  let n = 0
  const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: Array<any>) => void) => {
    const address = hostname === "outside.test" ? "127.0.0.2" : answers[Math.min(n++, answers.length - 1)]!
    queueMicrotask(() => options.all === true ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4))
  }) as NonNullable<Pool.Options["lookup"]>
  return { lookup, count: () => n }
}

/**
 * The client of the node layer, and (`connectOnly`) a client over the same
 * pool without the core's own check of IP literals, so only the pool's
 * connector guards.
 */
const clientOf = (options: NodeClient.Options, connectOnly = false) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeClient.layer({ proxy: { url: "none" }, retry: { retries: 0 }, ...options }))
    const client: Effect.Effect<Client.ResilientClient, unknown, Client.Client | Pool.Pool | Scope.Scope> = connectOnly
      ? NodeClient.make({ retry: { retries: 0 } })
      : Client.Client
    return yield* client.pipe(Effect.provide(context), Effect.orDie)
  })

describe("regression: the SSRF guard refuses addresses after DNS resolution", () => {
  it.scopedLive("a name resolving to a refused address: InvalidUrl, and the server receives nothing", () =>
    Effect.gen(function*() {
      const inside = yield* server("127.0.0.1")
      const dns = lookupOf(["127.0.0.1"])
      const client = yield* clientOf({ allowAddress: notLoopback1, pool: { lookup: dns.lookup } })
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`http://internal.test:${inside.port}/secret`)))
      expect(error._tag).toBe("InvalidUrl")
      expect(error.message).toContain("127.0.0.1 is loopback")
      expect(error.attempts).toBe(1)
      expect(dns.count()).toBe(1)
      expect(inside.paths).toEqual([])
    }))

  it.scopedLive("IP literals in every spelling are refused before connecting (by core, and by the pool alone)", () =>
    Effect.gen(function*() {
      const inside = yield* server("127.0.0.1")
      for (const connectOnly of [false, true]) {
        const client = yield* clientOf({ allowAddress: notLoopback1 }, connectOnly)
        for (const host of ["127.0.0.1", "0x7f.1", "2130706433", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]"]) {
          const error = yield* Effect.flip(client.text(HttpClientRequest.get(`http://${host}:${inside.port}/secret`)))
          expect(error._tag, `${host} ${connectOnly}`).toBe("InvalidUrl")
        }
      }
      expect(inside.paths).toEqual([])
    }))

  it.scopedLive("a redirect to a refused address, by name or literal: RedirectBlocked", () =>
    Effect.gen(function*() {
      const outside = yield* server("127.0.0.2")
      const inside = yield* server("127.0.0.1")
      // the name is public for the first connection (127.0.0.2), then the refused one
      const dns = lookupOf(["127.0.0.1"])
      for (const connectOnly of [false, true]) {
        const client = yield* clientOf({ allowAddress: notLoopback1, pool: { lookup: dns.lookup } }, connectOnly)
        for (const target of [`http://internal.test:${inside.port}/secret`, `http://0x7f.1:${inside.port}/secret`]) {
          const start = `http://outside.test:${outside.port}/to?url=${encodeURIComponent(target)}`
          const error = yield* Effect.flip(client.text(HttpClientRequest.get(start)))
          expect(error._tag, target).toBe("RedirectBlocked")
          expect(error._tag === "RedirectBlocked" && error.reason).toBe("address")
        }
      }
      expect(outside.paths.length).toBe(4)
      expect(inside.paths).toEqual([])
    }))

  it.scopedLive("DNS rebinding: each new connection is checked on the address it really uses", () =>
    Effect.gen(function*() {
      const inside = yield* server("127.0.0.1")
      // the same port on the allowed address: the name's first answer reaches it
      const outside = yield* server("127.0.0.2", inside.port)
      const dns = lookupOf(["127.0.0.2", "127.0.0.1"])
      const client = yield* clientOf({ allowAddress: notLoopback1, pool: { lookup: dns.lookup, keepAlive: false } })
      const url = `http://rebind.test:${inside.port}/secret`
      expect(yield* client.text(HttpClientRequest.get(url))).toBe("ok")
      const second = yield* Effect.flip(client.text(HttpClientRequest.get(url)))
      expect(second._tag).toBe("InvalidUrl")
      expect(second.message).toContain("127.0.0.1 is loopback")
      expect(outside.paths).toEqual(["/secret"])
      expect(inside.paths).toEqual([])
    }))

  it.scopedLive("without a guard the same requests go through (the tests above prove the guard)", () =>
    Effect.gen(function*() {
      const inside = yield* server("127.0.0.1")
      const dns = lookupOf(["127.0.0.1"])
      const client = yield* clientOf({ pool: { lookup: dns.lookup } })
      expect(yield* client.text(HttpClientRequest.get(`http://internal.test:${inside.port}/a`))).toBe("ok")
      expect(yield* client.text(HttpClientRequest.get(`http://0x7f.1:${inside.port}/b`))).toBe("ok")
      expect(inside.paths).toEqual(["/a", "/b"])
    }))

  it.scopedLive("redirects.allow can refuse: RedirectBlocked (policy), the target receives nothing", () =>
    Effect.gen(function*() {
      const outside = yield* server("127.0.0.2")
      const inside = yield* server("127.0.0.1")
      const client = yield* clientOf({ redirects: { allow: () => false } })
      const target = `http://127.0.0.1:${inside.port}/secret`
      const error = yield* Effect.flip(
        client.text(HttpClientRequest.get(`http://127.0.0.2:${outside.port}/to?url=${encodeURIComponent(target)}`))
      )
      expect(error._tag === "RedirectBlocked" && error.reason).toBe("policy")
      expect(inside.paths).toEqual([])
    }))
})
