/**
 * Every option is checked when the client is built: a typed
 * `InvalidOptions` naming the option, the value and what is allowed —
 * never a defect, never a limit silently off.
 */
import * as Cause from "#line/Cause"
import * as ConfigProvider from "#line/ConfigProvider"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Layer from "#line/Layer"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Client, Errors, Timeouts } from "@steadfast/core"
import * as fc from "effect/FastCheck"
import { after, expectFailure, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const SEED = 18_2026

/** Builds `Client.layer(options)` over an in-memory transport; the exit of building it. */
const build = (options: unknown) => {
  const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
  return Effect.exit(
    Effect.scoped(
      Layer.build(
        Client.layer(options as Client.Options).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, mem.client))
        )
      )
    )
  )
}

const invalidOf = (exit: Exit.Exit<unknown, unknown>): Errors.InvalidOptions | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`a defect, not a typed failure: ${Cause.pretty(exit.cause)}`)
  return failure.value as Errors.InvalidOptions
}

describe("options are checked when the client is built", () => {
  it.effect.each(
    [
      ["maxBodySize", { maxBodySize: NaN }, "NaN"],
      ["maxBodySize", { maxBodySize: -1 }, "-1"],
      ["maxBodySize", { maxBodySize: 1.5 }, "1.5"],
      ["redirects.max", { redirects: { max: NaN } }, "NaN"],
      ["redirects.max", { redirects: { max: -1 } }, "-1"],
      ["redirects.sensitiveHeaders[0]", { redirects: { sensitiveHeaders: ["x bad"] } }, "\"x bad\""],
      ["retry.retries", { retry: { retries: -1 } }, "-1"],
      ["retry.retries", { retry: { retries: NaN } }, "NaN"],
      ["retry.backoff.base", { retry: { backoff: { base: -100 } } }, "-100"],
      ["retry.backoff.factor", { retry: { backoff: { factor: NaN } } }, "NaN"],
      ["retry.backoff.jitter", { retry: { backoff: { jitter: "some" } } }, "\"some\""],
      ["retry.maxElapsed", { retry: { maxElapsed: "soon" } }, "\"soon\""],
      ["timeouts.response", { timeouts: { response: NaN } }, "NaN"],
      ["timeouts.connect", { timeouts: { connect: -5 } }, "-5"],
      ["timeouts.deadline", { timeouts: { deadline: "-1 seconds" } }, "\"-1 seconds\""],
      ["timeouts.bodyIdle", { timeouts: { bodyIdle: "fast" } }, "\"fast\""],
      ["baseUrl", { baseUrl: "not a url" }, "\"not a url\""],
      ["baseUrl", { baseUrl: "ftp://files.test/" }, "\"ftp://files.test/\""],
      ["baseUrl", { baseUrl: "https://api.test/?page=1" }, "\"https://api.test/?page=1\""],
      ["baseUrl", { baseUrl: "https://u:pw@api.test/#x" }, "\"https://u:<redacted>@api.test/#x\""],
      ["allowAbsoluteUrls", { allowAbsoluteUrls: "yes" }, "\"yes\""],
      ["decompress", { decompress: "gzip" }, "\"gzip\""],
      ["isFailure", { isFailure: 400 }, "400"],
      ["tls", { tls: { rejectUnauthorized: false } }, "given"]
    ] as const
  )("%s: %j is an InvalidOptions", ([option, options, value]) =>
    Effect.gen(function*() {
      const invalid = invalidOf(yield* build(options))
      strictEqual(invalid?._tag, "InvalidOptions")
      deepStrictEqual([invalid?.option, invalid?.value], [option, value])
      assertTrue(invalid!.message.includes(`\`${option}\``) && invalid!.message.includes("expected"), invalid!.message)
    }))

  it.effect.each(
    [
      ["no limits, said explicitly", { maxBodySize: Infinity, retry: { retries: Infinity }, timeouts: Timeouts.off }],
      ["durations of every shape", { timeouts: { connect: 0, response: "2 seconds", bodyIdle: [1, 0], deadline: 5n } }],
      ["a base url with a path and credentials", { baseUrl: "https://u:pw@api.test/v1" }],
      ["a built policy", { retry: { retries: 0 }, redirects: { max: 0, sensitiveHeaders: ["x-api-key"] } }]
    ] as const
  )("%s is accepted", ([, options]) =>
    Effect.gen(function*() {
      strictEqual(invalidOf(yield* build(options)), undefined)
    }))

  it("Client.settings throws the same InvalidOptions (it is synchronous)", () => {
    try {
      Client.settings({ maxBodySize: NaN })
      throw new Error("no throw")
    } catch (e) {
      strictEqual(Errors.isInvalidOptions(e), true)
    }
  })

  it.effect("layerConfig: STEADFAST_RETRIES=-1 is an InvalidOptions, not a defect", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      const exit = yield* Effect.exit(
        Effect.scoped(Layer.build(
          Client.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, mem.client)))
        )).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["STEADFAST_RETRIES", "-1"]]), { pathDelim: "_" }))
        )
      )
      strictEqual(invalidOf(exit)?.option, "retry.retries")
    }))

  it.effect("redirects.max: NaN no longer follows a chain of 40 redirects", () =>
    Effect.gen(function*() {
      strictEqual(invalidOf(yield* build({ redirects: { max: NaN } }))?.option, "redirects.max")
    }))
})

describe("per-request options (Client.withOptions)", () => {
  const get = HttpClientRequest.get("https://api.test/x")

  it.effect("tls cannot be changed per request: refused, nothing is sent", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      const result = yield* after(
        withClient(mem, {}, (c) =>
          Client.withOptions(c, { tls: { rejectUnauthorized: true } } as Client.Options).text(get)),
        "1 second"
      )
      const error = expectFailure(result, "InvalidRequest")
      assertTrue(error.message.includes("`tls`") && error.message.includes("connection pool"), error.message)
      strictEqual(mem.requests.length, 0)
    }))

  it.effect("an invalid per-request limit is refused on every way of sending", () =>
    Effect.gen(function*() {
      const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
      const results = yield* withClient(mem, {}, (c) => {
        const derived = Client.withOptions(c, { maxBodySize: NaN })
        return Effect.all(
          [derived.text(get), derived.json(get), derived.bytes(get), derived.execute(get)].map(Effect.flip)
        )
      })
      deepStrictEqual(results.map((e) => e._tag), [
        "InvalidRequest",
        "InvalidRequest",
        "InvalidRequest",
        "InvalidRequest"
      ])
      assertTrue(results[0]!.message.includes("`maxBodySize`"))
      strictEqual(mem.requests.length, 0)
    }))
})

describe("properties (fast-check, fixed seed)", () => {
  const number = fc.oneof(
    fc.double(),
    fc.integer({ min: -10, max: 1 << 30 }),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MAX_SAFE_INTEGER + 2)
  )

  it.prop("maxBodySize: accepted exactly when it is an integer >= 0 or Infinity", [number], ([n]) => {
    const invalid = Client.validate({ maxBodySize: n })
    strictEqual(invalid === undefined, (Number.isInteger(n) && n >= 0) || n === Infinity, String(n))
  }, { fastCheck: { seed: SEED, numRuns: 500 } })

  it.prop("redirects.max and retry.retries: integers >= 0 only (retries may be Infinity)", [number], ([n]) => {
    strictEqual(Client.validate({ redirects: { max: n } }) === undefined, Number.isInteger(n) && n >= 0, String(n))
    strictEqual(
      Client.validate({ retry: { retries: n } }) === undefined,
      (Number.isInteger(n) && n >= 0) || n === Infinity,
      String(n)
    )
  }, { fastCheck: { seed: SEED, numRuns: 500 } })

  it.prop("a duration in milliseconds is accepted exactly when it is >= 0 (Infinity: off)", [number], ([n]) => {
    strictEqual(Client.validate({ timeouts: { response: n } }) === undefined, n >= 0, String(n))
  }, { fastCheck: { seed: SEED, numRuns: 500 } })

  it.effect.prop(
    "whatever the options, building the layer gives a client or an InvalidOptions, never a defect",
    [
      fc.record({
        maxBodySize: number,
        timeouts: fc.record({ connect: fc.oneof(number, fc.string()), deadline: fc.oneof(number, fc.string()) }),
        retry: fc.record({ retries: number, backoff: fc.record({ base: fc.oneof(number, fc.string()) }) }),
        redirects: fc.record({ max: number, sensitiveHeaders: fc.array(fc.string(), { maxLength: 2 }) }),
        baseUrl: fc.oneof(fc.string(), fc.webUrl())
      }, { requiredKeys: [] })
    ],
    ([options]) =>
      Effect.gen(function*() {
        const exit = yield* build(options)
        const invalid = invalidOf(exit) // throws on a defect
        strictEqual(invalid === undefined, Client.validate(options as Client.Options) === undefined)
      }),
    { fastCheck: { seed: SEED, numRuns: 200 } }
  )
})
