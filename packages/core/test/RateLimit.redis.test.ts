/**
 * The limiter over a real redis-server (started on loopback by each test):
 * what happens when Redis dies mid-run (the documented fallback, and
 * nothing hangs), and that it is used again once it is back.
 *
 * it.live: real Redis, real time. Bounded: every request runs under a
 * liveness guard far longer than the 200 ms command timeout.
 */
import * as ConfigProvider from "#line/ConfigProvider"
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import * as Exit from "#line/Exit"
import * as Layer from "#line/Layer"
import { logLinesLayer } from "#line/logLines"
import { redisKey } from "#line/redisStore"
import * as Scope from "#line/Scope"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client, type Errors } from "@steadfast/core"
import * as RateLimitRedis from "@steadfast/core/RateLimit/Redis"
import { Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Redis } from "ioredis"
import * as RedisServer from "./helpers/redis.js"

const api = "https://api.test"
const KEY = redisKey("steadfast:ratelimit:", api)

/** Fails the test instead of hanging. */
const guarded = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(effect, { duration: "5 seconds", onTimeout: () => new Error("the request hung") })

const get = Client.text(HttpClientRequest.get(`${api}/items`))

/** Counts what Redis holds under the limiter's key (a plain client of the test's own). */
const keyExists = (url: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 })),
    (redis) => Effect.promise(() => redis.exists(KEY)),
    (redis) => Effect.sync(() => redis.disconnect())
  )

const setup = (url: string, onStoreFailure: "local" | "fail", lines: Array<string>) =>
  Client.layer({ retry: { retries: 0 } }).pipe(
    Layer.provide(
      RateLimitRedis.layer({ limit: 50, window: "1 second", maxWait: "2 seconds", onStoreFailure }, {
        url,
        timeout: "200 millis"
      })
    ),
    Layer.provideMerge(
      SimulatedNetwork.layer(Scenario.make({
        "GET /items": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" })
      }))
    ),
    // merged: on Effect 4 the loggers are a service of the context the requests run in
    Layer.provideMerge(logLinesLayer((line) => void lines.push(line))),
    Layer.orDie
  )

const sent = Effect.flatMap(SimulatedNetwork.SimulatedNetwork, (net) => net.attempts()).pipe(
  Effect.map((a) => a.length)
)

describe.runIf(RedisServer.enabled)("RateLimit over a real Redis", () => {
  it.scopedLive(
    "the quota lives in Redis; when Redis dies, a local limiter takes over, and Redis is used again once it is back",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.start
        const lines: Array<string> = []
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(setup(redis.url, "local", lines), scope)
        const run = <A, E>(effect: Effect.Effect<A, E, Client.Client | SimulatedNetwork.SimulatedNetwork>) =>
          guarded(Effect.provide(effect, context))

        for (let i = 0; i < 5; i++) yield* run(get)
        expect(yield* keyExists(redis.url)).toBe(1)

        yield* redis.kill
        // fail-open: every request still goes, paced by the local limiter, and none hangs
        for (let i = 0; i < 10; i++) expect(yield* run(get)).toBe("ok")
        expect(yield* run(sent)).toBe(15)
        expect(lines.filter((l) => l.includes("the store failed")).length).toBe(1)
        expect(lines.find((l) => l.includes("the store failed"))).toContain("using a local limiter")

        yield* redis.restart
        expect(yield* keyExists(redis.url)).toBe(0)
        // live time on purpose: a real redis-server restarts and ioredis reconnects on real timers; the loop
        // is bounded (60 polls) and asserts the outcome, never how long it took.
        // ioredis reconnects by itself; the limiter asks Redis again a second after its last failure
        let back = false
        for (let i = 0; i < 60 && !back; i++) {
          yield* run(get)
          back = (yield* keyExists(redis.url)) === 1
          if (!back) yield* Effect.sleep("100 millis")
        }
        expect(back).toBe(true)
        expect(lines.some((l) => l.includes("the store answers again"))).toBe(true)

        // closing the limiter's connection does not hang either, even with Redis dead
        yield* redis.kill
        yield* run(get)
        yield* guarded(Scope.close(scope, Exit.void))
      }),
    60_000
  )

  it.scopedLive(
    "fail-closed: while Redis is down requests fail at once with RateLimited (store), nothing is sent",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.start
        const lines: Array<string> = []
        const context = yield* Layer.build(setup(redis.url, "fail", lines))
        const run = <A, E>(effect: Effect.Effect<A, E, Client.Client | SimulatedNetwork.SimulatedNetwork>) =>
          guarded(Effect.provide(effect, context))

        expect(yield* run(get)).toBe("ok")
        yield* redis.kill
        const results: Array<Either.Either<string, Errors.HttpError>> = []
        for (let i = 0; i < 5; i++) results.push(yield* run(Effect.either(get)))
        const tags = results.map((r) => Either.isLeft(r) && r.left._tag === "RateLimited" ? r.left.reason : "sent")
        expect(tags).toEqual(["store", "store", "store", "store", "store"])
        expect(yield* run(sent)).toBe(1)
        expect(lines.find((l) => l.includes("the store failed"))).toContain("requests are refused")

        yield* redis.restart
        let ok = false
        for (let i = 0; i < 60 && !ok; i++) {
          ok = Either.isRight(yield* run(Effect.either(get)))
          if (!ok) yield* Effect.sleep("100 millis")
        }
        expect(ok).toBe(true)
      }),
    60_000
  )

  it.scopedLive(
    "layerConfig: in memory without STEADFAST_RATE_LIMIT_REDIS_URL, in Redis with it",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.start
        const withEnv = (env: Record<string, string>) =>
          Client.layer({ retry: { retries: 0 } }).pipe(
            Layer.provide(RateLimitRedis.layerConfig()),
            Layer.provideMerge(SimulatedNetwork.layer(Scenario.make({
              "GET /items": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" })
            }))),
            Layer.provide(
              Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))
            )
          )
        yield* guarded(Effect.provide(get, withEnv({ STEADFAST_RATE_LIMIT_LIMIT: "10" })))
        expect(yield* keyExists(redis.url)).toBe(0)
        yield* guarded(
          Effect.provide(
            get,
            withEnv({ STEADFAST_RATE_LIMIT_LIMIT: "10", STEADFAST_RATE_LIMIT_REDIS_URL: redis.url })
          )
        )
        expect(yield* keyExists(redis.url)).toBe(1)
      }),
    30_000
  )

  it.effect("config: the url is kept Redacted; urls become ioredis options", () =>
    Effect.gen(function*() {
      const config = yield* Effect.provide(
        RateLimitRedis.config.pipe(Effect.map(Option.map((c) => Redacted.isRedacted(c.url)))),
        Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["REDIS_URL", "redis://:secret@127.0.0.1:6390"]])))
      )
      expect(config).toEqual(Option.some(true))
      expect(RateLimitRedis.optionsFromUrl("redis://user:p%40ss@10.1.2.3:6390/2")).toEqual({
        host: "10.1.2.3",
        port: 6390,
        username: "user",
        password: "p@ss",
        db: 2
      })
    }))
})
