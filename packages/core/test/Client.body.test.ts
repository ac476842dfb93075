import * as Effect from "#line/Effect"
import * as Schema from "#line/Schema"
import * as Stream from "#line/Stream"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Errors } from "@steadfast/core"
import { Chunk } from "effect"
import { after, expectFailure, expectSuccess, paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/items")
const noRetry = { retry: { retries: 0 } } as const
const User = Schema.Struct({ id: Schema.Number, name: Schema.String })

describe("body helpers", () => {
  for (const path of paths) {
    describe(path.name, () => {
      it.effect("json decodes with a Schema", () =>
        Effect.gen(function*() {
          const mem = Mem.make(Mem.sequence(Mem.json(200, { id: 1, name: "Ada" })))
          const result = yield* after(withClient(mem, noRetry, (c) => c.json(get, User), path), "1 second")
          deepStrictEqual(expectSuccess(result), { id: 1, name: "Ada" })
        }))

      it.effect("text and bytes read the whole body", () =>
        Effect.gen(function*() {
          const reply = { status: 200, chunks: [{ data: "hé" }, { data: "llo" }] }
          const mem = Mem.make(Mem.sequence(reply))
          const text = yield* after(withClient(mem, noRetry, (c) => c.text(get), path), "1 second")
          strictEqual(expectSuccess(text), "héllo")
          const bytes = yield* after(withClient(mem, noRetry, (c) => c.bytes(get), path), "1 second")
          strictEqual(expectSuccess(bytes).length, 6)
        }))

      it.effect("a body over the size limit is BodyTooLarge, even without Content-Length", () =>
        Effect.gen(function*() {
          const chunks = Array.from({ length: 10 }, () => ({ data: "x".repeat(100) }))
          const mem = Mem.make(Mem.sequence({ status: 200, chunks }))
          const result = yield* after(
            withClient(mem, { ...noRetry, maxBodySize: 550 }, (c) => c.text(get), path),
            "1 second"
          )
          strictEqual(expectFailure(result, "BodyTooLarge").limit, 550)
        }))
    })
  }

  it.effect("a declared Content-Length over the limit fails before reading", () =>
    Effect.gen(function*() {
      const mem = Mem.make(
        Mem.sequence({ status: 200, headers: { "content-length": "5000" }, chunks: [{ after: "1 hour", data: "x" }] })
      )
      const result = yield* after(withClient(mem, { ...noRetry, maxBodySize: 100 }, (c) => c.bytes(get)), "0 millis")
      expectFailure(result, "BodyTooLarge")
      strictEqual(mem.requests[0]!.signal.aborted, true)
    }))

  for (const path of paths) {
    it.effect(`${path.name}: credentials in the url become a Basic Authorization header and leave the url`, () =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(Mem.json(200, 1), Mem.json(200, 2)))
        const withUser = HttpClientRequest.get("http://al%20ice:p%C3%A4ss%40word@api.test/items?page=2")
        const result = yield* after(
          withClient(mem, noRetry, (c) =>
            Effect.all([
              c.json(withUser),
              c.json(HttpClientRequest.setHeader(withUser, "authorization", "Bearer mine"))
            ]), path),
          "0 millis"
        )
        deepStrictEqual(expectSuccess(result), [1, 2])
        const [first, second] = mem.requests
        strictEqual(first!.url.href, "http://api.test/items?page=2")
        strictEqual(first!.headers["authorization"], `Basic ${Buffer.from("al ice:päss@word").toString("base64")}`)
        // an Authorization the request already has wins
        strictEqual(second!.headers["authorization"], "Bearer mine")
        strictEqual(second!.url.username, "")
      }))
  }

  it.effect("HEAD, 204 and 304 have no body whatever their Content-Length says", () =>
    Effect.gen(function*() {
      const big = { "content-length": "5000" }
      const mem = Mem.make(Mem.sequence(
        { status: 200, headers: big, body: "" },
        { status: 204, headers: big, body: "" },
        { status: 304, headers: big, body: "" }
      ))
      const head = HttpClientRequest.head("http://api.test/items")
      const result = yield* after(
        withClient(mem, { ...noRetry, maxBodySize: 100 }, (c) => Effect.all([c.text(head), c.text(get), c.text(get)])),
        "0 millis"
      )
      deepStrictEqual(expectSuccess(result), ["", "", ""])
    }))

  it.effect("a body that fails its Schema is DecodeError and is not retried", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, { id: "one" })))
      const result = yield* after(withClient(mem, {}, (c) => c.json(get, User)), "1 minute")
      const error = expectFailure(result, "DecodeError")
      strictEqual(error.status, 200)
      strictEqual(error.reason.includes("id"), true)
      strictEqual(mem.requests.length, 1)
    }))

  it.effect("a body that is not JSON is DecodeError", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence({ status: 200, body: "<html>" }))
      const result = yield* after(withClient(mem, noRetry, (c) => c.json(get)), "1 second")
      strictEqual(expectFailure(result, "DecodeError").reason, "the body is not valid JSON")
    }))

  it.effect("a header value with CR/LF is InvalidRequest and nothing is sent", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, {})))
      const bad = HttpClientRequest.setHeader(get, "x-note", "a\r\nInjected: yes")
      const result = yield* after(withClient(mem, noRetry, (c) => c.json(bad)), "1 second")
      const error = expectFailure(result, "InvalidRequest")
      strictEqual(error.reason.includes("x-note"), true)
      strictEqual(error.message.includes("Injected"), false)
      strictEqual(mem.requests.length, 0)
    }))

  it.effect("a header name with a space or newline is InvalidRequest", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, {})))
      const bad = HttpClientRequest.setHeader(get, "x\nbad", "v")
      const result = yield* after(withClient(mem, noRetry, (c) => c.json(bad)), "1 second")
      expectFailure(result, "InvalidRequest")
      strictEqual(mem.requests.length, 0)
    }))

  it.effect.each(["not a url", "ftp://files.test/x", "javascript:alert(1)"])(
    "%s is InvalidUrl",
    (url) =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(Mem.json(200, {})))
        const result = yield* after(
          withClient(mem, noRetry, (c) => c.json(HttpClientRequest.setUrl(get, url))),
          "1 second"
        )
        expectFailure(result, "InvalidUrl")
        strictEqual(mem.requests.length, 0)
      })
  )

  it.effect("relative urls resolve against baseUrl; url params and hash are kept", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, {})))
      const request = HttpClientRequest.get("/v1/items").pipe(HttpClientRequest.setUrlParam("page", "2"))
      yield* after(withClient(mem, { ...noRetry, baseUrl: "https://api.test" }, (c) => c.json(request)), "1 second")
      strictEqual(mem.requests[0]!.url.href, "https://api.test/v1/items?page=2")
    }))

  it.effect("secrets in the url never reach an error message", () =>
    Effect.gen(function*() {
      const mem = Mem.make(
        Mem.sequence({ failConnect: Mem.nodeError("ECONNREFUSED", { address: "10.0.0.1", port: 443 }) })
      )
      const request = HttpClientRequest.get("https://user:hunter2@api.test/x?access_token=abc123&page=1")
      const result = yield* after(withClient(mem, noRetry, (c) => c.json(request)), "1 second")
      const error = expectFailure(result, "ConnectionRefused")
      strictEqual(error.message.includes("hunter2"), false)
      strictEqual(error.message.includes("abc123"), false)
      strictEqual(error.message.includes("page=1"), true)
    }))
})

describe("execute (the HttpClient view)", () => {
  it.effect("returns the response; its body is read under the client's limits", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, { a: 1 })))
      const result = yield* after(
        withClient(mem, noRetry, (c) => Effect.flatMap(c.execute(get), (r) => r.json)),
        "1 second"
      )
      deepStrictEqual(expectSuccess(result as never), { a: 1 })
    }))

  it.effect("a failure status is a StatusError", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence({ status: 404, body: "missing" }))
      const result = yield* after(withClient(mem, noRetry, (c) => c.execute(get)), "1 second")
      strictEqual(expectFailure(result, "StatusError").status, 404)
    }))

  it.effect("a stalled body read after execute fails with the BodyTimeout as cause", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence({ status: 200, chunks: [{ data: "a" }, { after: "1 hour", data: "b" }] }))
      const result = yield* after(
        withClient(mem, noRetry, (c) => Effect.flatMap(c.execute(get), (r) => Effect.flip(r.text))),
        "31 seconds"
      )
      const error = expectSuccess(result as never) as { readonly cause: unknown }
      strictEqual(Errors.isBodyTimeout(error.cause), true)
    }))

  it.effect("the body stream is limited in size", () =>
    Effect.gen(function*() {
      const chunks = Array.from({ length: 10 }, () => ({ data: "y".repeat(100) }))
      const mem = Mem.make(Mem.sequence({ status: 200, chunks }))
      const result = yield* after(
        withClient(
          mem,
          { ...noRetry, maxBodySize: 350 },
          (c) => Effect.flatMap(c.execute(get), (r) => Effect.flip(Stream.runCollect(r.stream)))
        ),
        "1 second"
      )
      const error = expectSuccess(result as never) as { readonly cause: unknown }
      strictEqual(Errors.isBodyTooLarge(error.cause), true)
    }))

  it.effect("the body stream delivers every chunk", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence({ status: 200, chunks: [{ data: "a" }, { after: "1 second", data: "b" }] }))
      const result = yield* after(
        withClient(mem, noRetry, (c) => Effect.flatMap(c.execute(get), (r) => Stream.runCollect(r.stream))),
        "2 seconds"
      )
      const chunks = expectSuccess(result as never) as Chunk.Chunk<Uint8Array>
      strictEqual(Chunk.toReadonlyArray(chunks).map((b) => new TextDecoder().decode(b)).join(""), "ab")
    }))

  it.effect("platform combinators work on the client", () =>
    Effect.gen(function*() {
      const { HttpClient } = yield* Effect.promise(() => import("@effect/platform"))
      const mem = Mem.make(Mem.sequence(Mem.json(200, {})))
      yield* after(
        withClient(mem, noRetry, (c) =>
          HttpClient.mapRequest(c, HttpClientRequest.setHeader("x-trace", "1")).get("http://api.test/x")),
        "1 second"
      )
      strictEqual(mem.requests[0]!.headers["x-trace"], "1")
    }))
})
