/**
 * Name resolution on real sockets, with no DNS traffic: fake resolvers
 * answer names with 127.0.0.1 (or fail the way a DNS fails: NXDOMAIN,
 * SERVFAIL, timeout), and the tests assert what the loopback server saw
 * (connections, Host headers) and what the resolver was asked.
 *
 * it.scopedLive where only sockets matter; the cache's TTLs run under
 * TestClock (it.scoped), real sockets and virtual time together: the pool
 * reads the cache's time from Effect's Clock.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, type Errors } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as TestClock from "@steadfast/core/line/TestClock"
import { Fiber, Layer, type Scope } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { Dns, NodeClient } from "../src/index.js"
import { type Ask, Cache, type Outcome } from "../src/internal/dns.js"

interface Server {
  readonly port: number
  /** TCP connections accepted. */
  readonly connections: () => number
  /** Host header of each request. */
  readonly hosts: Array<string>
}

/** An HTTP server on 127.0.0.1 that answers "ok" and counts what it receives. */
const server: Effect.Effect<Server, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<{ server: http.Server; state: Server }>((resume) => {
    const hosts: Array<string> = []
    let connections = 0
    const s = http.createServer((req, res) => {
      hosts.push(req.headers.host ?? "")
      res.end("ok")
    })
    s.on("connection", () => connections++)
    s.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        server: s,
        state: { port: (s.address() as net.AddressInfo).port, connections: () => connections, hosts }
      })))
  }),
  ({ server: s }) =>
    Effect.async<void>((resume) => {
      s.close(() => resume(Effect.void))
      s.closeAllConnections()
    })
).pipe(Effect.map(({ state }) => state))

type Rule = ReadonlyArray<Dns.Answer> | string

/** A resolver from a table `"A name" → answers | error code`; anything else: ENOTFOUND. Records every question. */
const fakeResolver = (table: Record<string, Rule>) => {
  const asked: Array<string> = []
  const resolver: Dns.Service = {
    resolve: (name, type) =>
      Effect.suspend(() => {
        asked.push(`${type} ${name}`)
        const rule = table[`${type} ${name}`] ?? "ENOTFOUND"
        return typeof rule === "string"
          ? Effect.fail(new Dns.ResolveError({ name, type, code: rule }))
          : Effect.succeed(rule)
      })
  }
  return { resolver, asked }
}

const clientOf = (options: NodeClient.Options) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeClient.layer({ proxy: { url: "none" }, retry: { retries: 0 }, ...options }))
    return yield* Effect.provide(Client.Client, context)
  })

const get = (client: Client.ResilientClient, url: string) => client.text(HttpClientRequest.get(url))

describe("Dns: a resolver of our own", () => {
  it.scopedLive("a name the resolver maps to 127.0.0.1 reaches the server, which sees the name as Host", () =>
    Effect.gen(function*() {
      const s = yield* server
      const dns = fakeResolver({ "A api.test": [{ address: "127.0.0.1", ttl: 60 }], "AAAA api.test": "ENODATA" })
      const client = yield* clientOf({ dns: { resolver: dns.resolver } })
      expect(yield* get(client, `http://api.test:${s.port}/`)).toBe("ok")
      expect(s.connections()).toBe(1)
      expect(s.hosts).toEqual([`api.test:${s.port}`])
      expect(dns.asked.sort()).toEqual(["A api.test", "AAAA api.test"])
    }))

  it.scopedLive("the resolver may come from the context (Dns.layer)", () =>
    Effect.gen(function*() {
      const s = yield* server
      const dns = fakeResolver({ "A ctx.test": [{ address: "127.0.0.1", ttl: 60 }] })
      const context = yield* Layer.build(
        NodeClient.layer({ proxy: { url: "none" }, retry: { retries: 0 } }).pipe(Layer.provide(Dns.layer(dns.resolver)))
      )
      const client = yield* Effect.provide(Client.Client, context)
      expect(yield* get(client, `http://ctx.test:${s.port}/`)).toBe("ok")
      expect(dns.asked).toContain("A ctx.test")
      expect(s.connections()).toBe(1)
    }))

  const failures: ReadonlyArray<{ name: string; code: string; temporary: boolean }> = [
    { name: "NXDOMAIN", code: "ENOTFOUND", temporary: false },
    { name: "SERVFAIL", code: "ESERVFAIL", temporary: true },
    { name: "timeout", code: "ETIMEOUT", temporary: true }
  ]
  for (const f of failures) {
    it.scopedLive(`${f.name}: DnsError ${f.code} naming each question asked; nothing reaches the server`, () =>
      Effect.gen(function*() {
        const s = yield* server
        const dns = fakeResolver({ "A down.test": f.code, "AAAA down.test": f.code })
        const client = yield* clientOf({ dns: { resolver: dns.resolver } })
        const error = yield* Effect.flip(get(client, `http://down.test:${s.port}/`))
        expect(error._tag).toBe("DnsError")
        const dnsError = error as Errors.DnsError
        expect(dnsError.code).toBe(f.code)
        expect(dnsError.temporary).toBe(f.temporary)
        expect(dnsError.hostname).toBe("down.test")
        expect(dnsError.queries).toEqual([
          { name: "down.test", type: "A", code: f.code },
          { name: "down.test", type: "AAAA", code: f.code }
        ])
        expect(dnsError.message).toContain(`A down.test → ${f.code}`)
        expect(dns.asked.sort()).toEqual(["A down.test", "AAAA down.test"])
        expect(s.connections()).toBe(0)
      }))
  }

  it.scopedLive("one family answering is enough; the error code prefers a failure that may pass", () =>
    Effect.gen(function*() {
      const s = yield* server
      const dns = fakeResolver({
        "A half.test": "ETIMEOUT",
        "AAAA half.test": "ENODATA",
        "A v4.test": [{ address: "127.0.0.1", ttl: 1 }],
        "AAAA v4.test": "ESERVFAIL"
      })
      const client = yield* clientOf({ dns: { resolver: dns.resolver } })
      expect(yield* get(client, `http://v4.test:${s.port}/`)).toBe("ok")
      const error = yield* Effect.flip(get(client, `http://half.test:${s.port}/`))
      expect(error._tag === "DnsError" && error.code).toBe("ETIMEOUT")
      expect(error._tag === "DnsError" && error.temporary).toBe(true)
      expect(s.connections()).toBe(1)
    }))

  it.scopedLive("the SSRF guard checks the address the resolver gave: refused, and the server sees nothing", () =>
    Effect.gen(function*() {
      const s = yield* server
      const dns = fakeResolver({ "A internal.test": [{ address: "127.0.0.1", ttl: 60 }] })
      const client = yield* clientOf({
        dns: { resolver: dns.resolver, cache: true },
        allowAddress: (address) => address !== "127.0.0.1"
      })
      const error = yield* Effect.flip(get(client, `http://internal.test:${s.port}/`))
      expect(error._tag).toBe("InvalidUrl")
      expect(error.message).toContain("127.0.0.1")
      expect(dns.asked).toContain("A internal.test")
      expect(s.connections()).toBe(0)
    }))
})

describe("Dns: a resolver that never answers", () => {
  // TestClock: the pool's connect timeout bounds the question in virtual time
  it.scoped("is cut off at the pool's connect timeout: DnsError ETIMEOUT, its fiber interrupted", () =>
    Effect.gen(function*() {
      const s = yield* server
      let interrupted = false
      const silent: Dns.Service = {
        resolve: () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true))))
      }
      const client = yield* clientOf({
        dns: { resolver: silent },
        pool: { connectTimeout: "1 second" },
        timeouts: { connect: "10 seconds" }
      })
      const fiber = yield* Effect.fork(Effect.flip(get(client, `http://silent.test:${s.port}/`)))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("DnsError")
      expect(error._tag === "DnsError" && [error.code, error.temporary]).toEqual(["ETIMEOUT", true])
      expect(interrupted).toBe(true)
      expect(s.connections()).toBe(0)
    }))
})

describe("Dns: happy eyeballs", () => {
  // 127.0.0.2 is loopback too, but the server listens on 127.0.0.1 only: a connection there is refused
  const answers = { "A two.test": [{ address: "127.0.0.2", ttl: 60 }, { address: "127.0.0.1", ttl: 60 }] }

  it.scopedLive("autoSelectFamily: true tries the next address after the first fails", () =>
    Effect.gen(function*() {
      const s = yield* server
      const dns = fakeResolver(answers)
      const client = yield* clientOf({
        dns: { resolver: dns.resolver, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: "100 millis" }
      })
      expect(yield* get(client, `http://two.test:${s.port}/`)).toBe("ok")
      expect(s.connections()).toBe(1)
    }))

  it.scopedLive("autoSelectFamily: false connects to the first address only", () =>
    Effect.gen(function*() {
      const s = yield* server
      const dns = fakeResolver(answers)
      const client = yield* clientOf({ dns: { resolver: dns.resolver, autoSelectFamily: false } })
      const error = yield* Effect.flip(get(client, `http://two.test:${s.port}/`))
      expect(error._tag).toBe("ConnectionRefused")
      expect(error._tag === "ConnectionRefused" && error.address).toBe("127.0.0.2")
      expect(s.connections()).toBe(0)
    }))
})

describe("Dns: the cache", () => {
  // TestClock: the cache's time is the pool's Clock; the sockets are real
  it.scoped("keeps an answer for its TTL, a missing record for the negative TTL, then asks again", () =>
    Effect.gen(function*() {
      const s = yield* server
      const dns = fakeResolver({ "A cached.test": [{ address: "127.0.0.1", ttl: 30 }], "AAAA cached.test": "ENODATA" })
      // keepAlive off: every request opens a connection, so every request looks the name up
      const client = yield* clientOf({
        dns: { resolver: dns.resolver, cache: { negativeTtl: "5 seconds" } },
        pool: { keepAlive: false }
      })
      const url = `http://cached.test:${s.port}/`
      const count = (q: string) => dns.asked.filter((a) => a === q).length
      yield* get(client, url)
      yield* get(client, url)
      expect([count("A cached.test"), count("AAAA cached.test")]).toEqual([1, 1])
      yield* TestClock.adjust("6 seconds") // the negative answer expired, the address did not
      yield* get(client, url)
      expect([count("A cached.test"), count("AAAA cached.test")]).toEqual([1, 2])
      yield* TestClock.adjust("25 seconds") // 31 s: the address expired
      yield* get(client, url)
      expect([count("A cached.test"), count("AAAA cached.test")]).toEqual([2, 3])
      expect(s.connections()).toBe(4)
    }))

  it.scoped("does not keep SERVFAIL or timeouts: the next connection asks again", () =>
    Effect.gen(function*() {
      const s = yield* server
      const dns = fakeResolver({ "A flaky.test": "ESERVFAIL", "AAAA flaky.test": "ETIMEOUT" })
      const client = yield* clientOf({ dns: { resolver: dns.resolver, cache: true } })
      yield* Effect.flip(get(client, `http://flaky.test:${s.port}/`))
      yield* Effect.flip(get(client, `http://flaky.test:${s.port}/`))
      expect(dns.asked.length).toBe(4)
    }))
})

describe("Dns: options", () => {
  const lookup = (() => {}) as unknown as Dns.Lookup
  const fake = fakeResolver({}).resolver
  const cases: ReadonlyArray<{ name: string; dns: Dns.Options; option: string }> = [
    { name: "a lookup and a resolver", dns: { lookup, resolver: fake }, option: "dns.resolver" },
    { name: "a cache over a lookup", dns: { lookup, cache: true }, option: "dns.cache" },
    { name: "a cache of no entries", dns: { cache: { maxEntries: 0 } }, option: "dns.cache.maxEntries" },
    {
      name: "a negative TTL that is no duration",
      dns: { cache: { negativeTtl: "soon" as never } },
      option: "dns.cache.negativeTtl"
    },
    {
      name: "an attempt timeout of 0",
      dns: { autoSelectFamilyAttemptTimeout: 0 },
      option: "dns.autoSelectFamilyAttemptTimeout"
    }
  ]
  for (const c of cases) {
    it.scoped(`${c.name}: InvalidPoolOptions naming ${c.option}`, () =>
      Effect.gen(function*() {
        // a typed failure (a defect would fail the test here)
        const error = yield* Effect.flip(Layer.build(NodeClient.layer({ proxy: { url: "none" }, dns: c.dns })))
        expect(error._tag).toBe("InvalidPoolOptions")
        expect((error as { option?: string }).option).toBe(c.option)
      }))
  }
})

describe("Dns: the cache, alone (an injected clock)", () => {
  const setup = (settings = { maxEntries: 2, maxTtlMs: 60_000, negativeTtlMs: 5_000 }) => {
    let now = 0
    const asked: Array<string> = []
    const pending: Array<() => void> = []
    const answers: Record<string, Outcome> = {}
    const ask: Ask = (name, type, done) => {
      asked.push(`${type} ${name}`)
      pending.push(() => done(answers[`${type} ${name}`] ?? { _tag: "Failed", code: "ENOTFOUND", message: "" }))
    }
    const cache = new Cache(ask, settings, () => now)
    const resolve = (name: string) => {
      const out: Array<Outcome> = []
      cache.resolve(name, "A", (o) => out.push(o))
      return out
    }
    const flush = () => pending.splice(0).forEach((f) => f())
    return { cache, asked, answers, resolve, flush, tick: (ms: number) => (now += ms) }
  }
  const answer = (ttl: number): Outcome => ({ _tag: "Answers", answers: [{ address: "127.0.0.1", ttl }] })

  it("concurrent questions for one name share one resolution", () => {
    const t = setup()
    t.answers["A a.test"] = answer(10)
    const first = t.resolve("a.test")
    const second = t.resolve("A.TEST")
    t.flush()
    expect(t.asked).toEqual(["A a.test"])
    expect(first).toEqual([answer(10)])
    expect(second).toEqual([answer(10)])
  })

  it("the smallest TTL of an answer counts, capped at maxTtl; TTL 0 is not kept", () => {
    const t = setup({ maxEntries: 10, maxTtlMs: 20_000, negativeTtlMs: 0 })
    t.answers["A a.test"] = { _tag: "Answers", answers: [{ address: "127.0.0.1", ttl: 3 }, { address: "::1", ttl: 9 }] }
    t.answers["A long.test"] = answer(3600)
    t.answers["A zero.test"] = answer(0)
    for (const name of ["a.test", "long.test", "zero.test"]) t.resolve(name)
    t.flush()
    t.tick(2_999)
    for (const name of ["a.test", "long.test", "zero.test"]) t.resolve(name)
    t.flush()
    expect(t.asked.filter((a) => a === "A zero.test").length).toBe(2)
    expect(t.asked.filter((a) => a === "A a.test").length).toBe(1)
    t.tick(1)
    t.resolve("a.test")
    t.tick(17_000) // 20 s: long.test's 3600 s TTL is capped at maxTtl
    t.resolve("long.test")
    t.flush()
    expect(t.asked.filter((a) => a === "A a.test").length).toBe(2)
    expect(t.asked.filter((a) => a === "A long.test").length).toBe(2)
  })

  it("holds at most maxEntries answers, dropping the least recently used", () => {
    const t = setup()
    for (const name of ["a.test", "b.test", "c.test"]) t.answers[`A ${name}`] = answer(60)
    t.resolve("a.test")
    t.resolve("b.test")
    t.flush()
    t.resolve("a.test") // a is now the most recently used
    t.resolve("c.test")
    t.flush()
    expect(t.cache.size).toBe(2)
    t.resolve("a.test")
    t.resolve("b.test")
    t.flush()
    expect(t.asked).toEqual(["A a.test", "A b.test", "A c.test", "A b.test"])
  })

  it("keeps ENOTFOUND for the negative TTL only", () => {
    const t = setup()
    t.resolve("nx.test")
    t.flush()
    t.tick(4_999)
    expect(t.resolve("nx.test")).toEqual([{ _tag: "Failed", code: "ENOTFOUND", message: "" }])
    t.tick(1)
    t.resolve("nx.test")
    expect(t.asked).toEqual(["A nx.test", "A nx.test"])
  })
})
