/**
 * Section 7 of the tour: rate limits. The fault server's `/quota/*` routes
 * answer as a server with a quota of 3 requests per second would: the
 * `RateLimit` header counts down (r=2, r=1, r=0, reset in 1 s), then 429
 * with `Retry-After: 1`. The section shows what the client does without a
 * limiter, with one that heeds the server, and with a quota of its own. Every
 * figure printed is read from the server's record of what it received.
 */
import { Client, RateLimit } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { HttpClientRequest } from "@steadfast/core/line/http"
import { NodeClient } from "@steadfast/node"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Clock, Context, Layer } from "effect"
import type { Block, Check, Section } from "../result.js"
import { capturingLogs as quietly } from "../story.js"

export type RateLimits = Section<"rate-limits", {
  /** Without a limiter: what the server received and how many it refused. */
  readonly naive: { readonly received: number; readonly refused: number; readonly succeeded: number }
  /** With a limiter that heeds the server: the same requests. */
  readonly heeded: {
    readonly received: number
    readonly succeeded: number
    /** When the server received each request, ms after the first. */
    readonly arrivalsMs: ReadonlyArray<number>
  }
  /** With a quota of 5 per second: when the server received each of 10 requests sent at once. */
  readonly paced: { readonly arrivalsMs: ReadonlyArray<number>; readonly busiestSecond: number }
}>

const counting = (remaining: number) =>
  Reply.json(200, { ok: true }, {
    "ratelimit-policy": "\"default\";q=3;w=1",
    ratelimit: `"default";r=${remaining};t=1`
  })
const refused = Fault.status(429, { retryAfter: 1, headers: { ratelimit: "\"default\";r=0;t=1" } })
const quotaSteps = [counting(2), counting(1), counting(0), refused, refused, refused]

/** The routes of this section, merged into the tour's scenario. */
export const routes: Record<string, Scenario.Script> = {
  "GET /quota/naive": Scenario.sequence([...quotaSteps, Reply.json(200, { ok: true })], { after: "repeat-last" }),
  // the second window, after the reset: a scripted server cannot tell early from on time, so the
  // section checks when the requests arrived
  "GET /quota/heeded": Scenario.sequence([...quotaSteps.slice(0, 3), ...quotaSteps.slice(0, 3)], { after: "fail" }),
  "GET /quota/paced": Scenario.sequence([Reply.json(200, { ok: true })], { after: "repeat-last" })
}

const get = (server: FaultServer.Service, path: string) => HttpClientRequest.get(`${server.urls.https}${path}`)

/** A client over a pool of its own, trusting the server's CA, with `limiter` (if any) in its context. */
const withClient = <A, E>(
  server: FaultServer.Service,
  limiter: Layer.Layer<RateLimit.RateLimiter, RateLimit.InvalidOptions> | undefined,
  f: (client: Client.ResilientClient) => Effect.Effect<A, E>
) =>
  Effect.scoped(Effect.gen(function*() {
    const node = NodeClient.layer({
      retry: { retries: 3, backoff: { jitter: "none" } },
      proxy: { url: "none" },
      tls: { ca: server.ca },
      pool: { interceptors: [server.interceptor] }
    })
    const context = yield* Layer.build(limiter === undefined ? node : Layer.provide(node, limiter)).pipe(Effect.orDie)
    return yield* f(Context.get(context, Client.Client))
  }))

const received = (server: FaultServer.Service, route: string) =>
  Effect.map(server.attempts, (all) => all.filter((a) => a.route === route))

const offsets = (ats: ReadonlyArray<number>) => ats.map((at) => Math.round(at - ats[0]!))

/** The most arrivals within any one second. */
const busiest = (ats: ReadonlyArray<number>) => {
  const sorted = [...ats].sort((a, b) => a - b)
  let worst = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++
    worst = Math.max(worst, i - j + 1)
  }
  return worst
}

const check = (what: string, expected: string, actual: string, ok = expected === actual): Block => ({
  _tag: "Check",
  check: { what, expected, actual, ok } satisfies Check
})
const text = (t: string, indent = 0): Block => ({ _tag: "Text", text: t, indent })

/** Six requests: one alone, then five at once; how many succeeded. */
const sixRequests = (client: Client.ResilientClient, server: FaultServer.Service, path: string) =>
  Effect.gen(function*() {
    const first = yield* Effect.either(client.json(get(server, path)))
    const rest = yield* Effect.forEach(
      Array.from({ length: 5 }, () => get(server, path)),
      (request) => Effect.either(client.json(request)),
      { concurrency: "unbounded" }
    )
    return [first, ...rest].filter(Either.isRight).length
  })

/** Section 7. */
export const rateLimits = (server: FaultServer.Service): Effect.Effect<RateLimits> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const blocks: Array<Block> = []
    blocks.push(text(
      "GET /quota/…: the server answers as a quota of 3 per second would: RateLimit r=2, r=1, r=0 " +
        "(reset in 1 s), then 429 with Retry-After: 1. One request, then five at once."
    ))

    blocks.push(text("without a limiter: the client retries each 429 after its Retry-After"))
    const [naiveOk, naiveLog] = yield* quietly(
      withClient(server, undefined, (c) => sixRequests(c, server, "/quota/naive"))
    )
    const naiveSeen = yield* received(server, "GET /quota/naive")
    const naive = {
      received: naiveSeen.length,
      refused: naiveSeen.filter((a) => a.step >= 3 && a.step <= 5).length,
      succeeded: naiveOk
    }
    if (naiveLog.length > 0) {
      blocks.push({
        _tag: "Log",
        lines: naiveLog.slice(0, 3).map((l) => l.replace(/^[A-Z]+ \S+: /, ""))
      })
    }
    blocks.push(check("requests the server received / refused", "9 / 3", `${naive.received} / ${naive.refused}`))

    blocks.push(text("with RateLimit.layer(): the client heeds the RateLimit header and holds back the last three"))
    const heededOk = yield* withClient(server, RateLimit.layer(), (c) => sixRequests(c, server, "/quota/heeded"))
    const heededSeen = yield* received(server, "GET /quota/heeded")
    const heededArrivals = offsets(heededSeen.map((a) => a.at))
    const heeded = { received: heededSeen.length, succeeded: heededOk, arrivalsMs: heededArrivals }
    blocks.push(check("requests the server received (none refused, none sent twice)", "6", String(heeded.received)))
    // the last three wait for the reset the first answer announced: a second after it, or later
    const waited = heededArrivals.slice(3)
    blocks.push(check(
      "the last three arrived after the reset (ms after the first)",
      ">= 1000",
      waited.join(", "),
      waited.length === 3 && waited.every((ms) => ms >= 1000 - 5)
    ))

    blocks.push(text("with RateLimit.layer({ limit: 5 }): ten requests at once, paced to 5 per second"))
    yield* withClient(server, RateLimit.layer({ limit: 5, window: "1 second" }), (c) =>
      Effect.forEach(
        Array.from({ length: 10 }, () => get(server, "/quota/paced")),
        (request) => Effect.either(c.json(request)),
        { concurrency: "unbounded" }
      ))
    const pacedArrivals = (yield* received(server, "GET /quota/paced")).map((a) => a.at)
    const paced = { arrivalsMs: offsets(pacedArrivals), busiestSecond: busiest(pacedArrivals) }
    blocks.push(text(`the server received them at ${paced.arrivalsMs.join(", ")} ms`, 1))
    // a token bucket of one: at most 5 + 1 start in any second
    blocks.push(check("the most in any one second", "<= 6", String(paced.busiestSecond), paced.busiestSecond <= 6))

    const ok = blocks.every((b) => b._tag !== "Check" || b.check.ok)
    return {
      id: "rate-limits",
      title: "Rate limits: pace instead of being refused",
      blocks,
      ok,
      elapsedMs: (yield* Clock.currentTimeMillis) - started,
      data: { naive, heeded, paced }
    }
  })
