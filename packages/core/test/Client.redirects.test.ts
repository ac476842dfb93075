import * as Effect from "#line/Effect"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Address } from "@steadfast/core"
import { after, expectFailure, expectSuccess, paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const redirect = (status: number, location: string): Mem.MemReply => ({ status, headers: { location } })

/** Answers by url: a map from href to reply. */
const routes = (table: Record<string, Mem.MemReply>): Mem.Handler => (request) => {
  const reply = table[request.url.href]
  return reply === undefined
    ? Effect.succeed({ status: 404, body: `no route ${request.url.href}` })
    : Effect.succeed(reply)
}

const noRetry = { retry: { retries: 0 } } as const

describe("redirects", () => {
  for (const path of paths) {
    it.effect(`${path.name}: follows a chain to the final body`, () =>
      Effect.gen(function*() {
        const mem = Mem.make(routes({
          "http://a.test/1": redirect(301, "/2"),
          "http://a.test/2": redirect(302, "http://a.test/3"),
          "http://a.test/3": redirect(307, "4"),
          "http://a.test/4": Mem.json(200, "end")
        }))
        const result = yield* after(
          withClient(mem, noRetry, (c) => c.json(HttpClientRequest.get("http://a.test/1")), path),
          "1 second"
        )
        strictEqual(expectSuccess(result), "end")
        deepStrictEqual(mem.requests.map((r) => r.url.pathname), ["/1", "/2", "/3", "/4"])
      }))
  }

  it.effect("drops credentials when the origin changes, whatever their case", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({
        "https://a.test/start": redirect(302, "https://b.test/next"),
        "https://b.test/next": Mem.json(200, "ok")
      }))
      const request = HttpClientRequest.get("https://a.test/start").pipe(
        HttpClientRequest.setHeader("AUTHORIZATION", "Bearer secret"),
        HttpClientRequest.setHeader("Cookie", "sid=1"),
        HttpClientRequest.setHeader("Proxy-Authorization", "Basic x"),
        HttpClientRequest.setHeader("X-Api-Key", "k"),
        HttpClientRequest.setHeader("Accept", "application/json")
      )
      const result = yield* after(
        withClient(mem, { ...noRetry, redirects: { sensitiveHeaders: ["x-API-key"] } }, (c) => c.json(request)),
        "1 second"
      )
      strictEqual(expectSuccess(result), "ok")
      const first = mem.requests[0]!.headers
      const second = mem.requests[1]!.headers
      strictEqual(first["authorization"], "Bearer secret")
      deepStrictEqual(
        ["authorization", "cookie", "proxy-authorization", "x-api-key"].map((h) => second[h]),
        [undefined, undefined, undefined, undefined]
      )
      strictEqual(second["accept"], "application/json")
    }))

  it.effect("keeps credentials on a same-origin redirect", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({
        "https://a.test/old": redirect(301, "/new"),
        "https://a.test/new": Mem.json(200, "ok")
      }))
      const request = HttpClientRequest.get("https://a.test/old").pipe(HttpClientRequest.bearerToken("t"))
      yield* after(withClient(mem, noRetry, (c) => c.json(request)), "1 second")
      strictEqual(mem.requests[1]!.headers["authorization"], "Bearer t")
    }))

  it.effect("a port change is an origin change", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({
        "https://a.test/x": redirect(302, "https://a.test:8443/x"),
        "https://a.test:8443/x": Mem.json(200, "ok")
      }))
      const request = HttpClientRequest.get("https://a.test/x").pipe(HttpClientRequest.bearerToken("t"))
      yield* after(withClient(mem, noRetry, (c) => c.json(request)), "1 second")
      strictEqual(mem.requests[1]!.headers["authorization"], undefined)
    }))

  it.effect("303 after POST continues as GET without the body", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({
        "http://a.test/orders": redirect(303, "/orders/1"),
        "http://a.test/orders/1": Mem.json(200, { id: 1 })
      }))
      const post = HttpClientRequest.post("http://a.test/orders").pipe(
        HttpClientRequest.bodyText("{\"a\":1}", "application/json")
      )
      const result = yield* after(withClient(mem, noRetry, (c) => c.json(post)), "1 second")
      deepStrictEqual(expectSuccess(result), { id: 1 })
      const second = mem.requests[1]!
      deepStrictEqual([second.method, second.body, second.headers["content-type"]], ["GET", "", undefined])
    }))

  it.effect.each([301, 302])("%i after POST continues as GET", (status) =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({ "http://a.test/p": redirect(status, "/q"), "http://a.test/q": Mem.json(200, 1) }))
      const post = HttpClientRequest.post("http://a.test/p").pipe(HttpClientRequest.bodyText("x"))
      yield* after(withClient(mem, noRetry, (c) => c.json(post)), "1 second")
      deepStrictEqual([mem.requests[1]!.method, mem.requests[1]!.body], ["GET", ""])
    }))

  it.effect.each([307, 308])("%i keeps the method and the body", (status) =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({ "http://a.test/p": redirect(status, "/q"), "http://a.test/q": Mem.json(200, 1) }))
      const post = HttpClientRequest.post("http://a.test/p").pipe(HttpClientRequest.bodyText("payload"))
      yield* after(withClient(mem, noRetry, (c) => c.json(post)), "1 second")
      deepStrictEqual([mem.requests[1]!.method, mem.requests[1]!.body], ["POST", "payload"])
    }))

  it.effect("more than 10 redirects is TooManyRedirects with the chain", () =>
    Effect.gen(function*() {
      const table: Record<string, Mem.MemReply> = {}
      for (let i = 0; i < 20; i++) table[`http://a.test/${i}`] = redirect(302, `/${i + 1}`)
      const mem = Mem.make(routes(table))
      const result = yield* after(
        withClient(mem, noRetry, (c) => c.json(HttpClientRequest.get("http://a.test/0"))),
        "1 second"
      )
      const error = expectFailure(result, "TooManyRedirects")
      strictEqual(error.max, 10)
      strictEqual(error.loop, false)
      strictEqual(mem.requests.length, 11)
      strictEqual(error.chain.length, 12)
      strictEqual(error.chain[0], "http://a.test/0")
      strictEqual(error.chain.at(-1), "http://a.test/11")
    }))

  it.effect("a redirect loop is detected before the limit", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({ "http://a.test/a": redirect(302, "/b"), "http://a.test/b": redirect(302, "/a") }))
      const result = yield* after(
        withClient(mem, noRetry, (c) => c.json(HttpClientRequest.get("http://a.test/a"))),
        "1 second"
      )
      const error = expectFailure(result, "TooManyRedirects")
      strictEqual(error.loop, true)
      strictEqual(mem.requests.length, 2)
      strictEqual(error.message.includes("redirect loop"), true)
    }))

  it.effect("https to http is blocked unless allowed", () =>
    Effect.gen(function*() {
      const table = {
        "https://a.test/s": redirect(302, "http://a.test/plain"),
        "http://a.test/plain": Mem.json(200, "ok")
      }
      const blocked = yield* after(
        withClient(Mem.make(routes(table)), noRetry, (c) => c.json(HttpClientRequest.get("https://a.test/s"))),
        "1 second"
      )
      strictEqual(expectFailure(blocked, "RedirectBlocked").reason, "downgrade")
      const allowed = yield* after(
        withClient(
          Mem.make(routes(table)),
          { ...noRetry, redirects: { allowDowngrade: true } },
          (c) => c.json(HttpClientRequest.get("https://a.test/s"))
        ),
        "1 second"
      )
      strictEqual(expectSuccess(allowed), "ok")
    }))

  it.effect("a redirect to another scheme is blocked", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({ "http://a.test/f": redirect(302, "ftp://a.test/file") }))
      const result = yield* after(
        withClient(mem, noRetry, (c) => c.json(HttpClientRequest.get("http://a.test/f"))),
        "1 second"
      )
      strictEqual(expectFailure(result, "RedirectBlocked").reason, "scheme")
    }))

  it.effect("with redirects off a 3xx is returned as it is", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({ "http://a.test/r": redirect(302, "/elsewhere") }))
      const result = yield* after(
        withClient(mem, { ...noRetry, redirects: { follow: false } }, (c) =>
          c.execute(HttpClientRequest.get("http://a.test/r"))),
        "1 second"
      )
      strictEqual(expectSuccess(result).status, 302)
      strictEqual(mem.requests.length, 1)
    }))

  it.effect("a retry after a failed hop starts again from the original url", () =>
    Effect.gen(function*() {
      let failed = false
      const mem = Mem.make((request) => {
        if (request.url.pathname === "/start") return Effect.succeed(redirect(302, "/target"))
        if (!failed) {
          failed = true
          return Effect.fail(Mem.nodeError("ECONNRESET", { syscall: "read" }))
        }
        return Effect.succeed(Mem.json(200, "ok"))
      })
      const result = yield* after(
        withClient(mem, { retry: { retries: 1 } }, (c) => c.json(HttpClientRequest.get("http://a.test/start"))),
        "1 second"
      )
      strictEqual(expectSuccess(result), "ok")
      deepStrictEqual(mem.requests.map((r) => r.url.pathname), ["/start", "/target", "/start", "/target"])
    }))

  it.effect("a Location that is not a url is RedirectBlocked, not a 3xx returned as a success", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({ "http://a.test/1": redirect(302, "http://[::1") }))
      const result = yield* after(
        withClient(mem, noRetry, (c) => c.json(HttpClientRequest.get("http://a.test/1"))),
        "1 second"
      )
      const error = expectFailure(result, "RedirectBlocked")
      strictEqual(error.reason, "invalid-location")
    }))

  it.effect("redirects.allow returning false refuses; the target receives nothing", () =>
    Effect.gen(function*() {
      const mem = Mem.make(routes({ "http://a.test/1": redirect(302, "/2"), "http://a.test/2": Mem.json(200, "no") }))
      const result = yield* after(
        withClient(mem, {
          ...noRetry,
          redirects: { allow: () => false }
        }, (c) => c.json(HttpClientRequest.get("http://a.test/1"))),
        "1 second"
      )
      strictEqual(expectFailure(result, "RedirectBlocked").reason, "policy")
      deepStrictEqual(mem.requests.map((r) => r.url.pathname), ["/1"])
    }))

  it.effect("allowAddress refuses redirects to IP literals in any spelling (every transport)", () =>
    Effect.gen(function*() {
      for (
        const location of [
          "http://169.254.169.254/latest",
          "http://0x7f.1/",
          "http://2130706433/",
          "http://[::ffff:10.0.0.1]/"
        ]
      ) {
        const mem = Mem.make(routes({ "http://a.test/1": redirect(302, location) }))
        const result = yield* after(
          withClient(
            mem,
            { ...noRetry, allowAddress: Address.publicOnly },
            (c) => c.json(HttpClientRequest.get("http://a.test/1"))
          ),
          "1 second"
        )
        const error = expectFailure(result, "RedirectBlocked")
        strictEqual(error.reason, "address")
        deepStrictEqual(mem.requests.length, 1)
      }
      const mem = Mem.make(routes({}))
      const direct = yield* after(
        withClient(mem, { allowAddress: Address.publicOnly }, (c) => c.json(HttpClientRequest.get("http://127.1/"))),
        "1 second"
      )
      strictEqual(expectFailure(direct, "InvalidUrl").attempts, 0)
      strictEqual(mem.requests.length, 0)
    }))
})
