/**
 * Section 8 of the tour: sparing a server that fails. `GET /busy/*` answers
 * every request with 503. The same 100 requests go out twice: with the
 * retry budget turned off, every request is tried 4 times; with the budget
 * every client has by default, retries are held to about a fifth of the
 * requests. Every figure printed is the server's own count.
 */
import { HttpClientRequest } from "@effect/platform"
import { Budget, Client, Retry } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Fault, type FaultServer, Scenario } from "@steadfast/testkit"
import { Clock, Context, Effect, Either, Layer, Logger, LogLevel } from "effect"
import type { Block, Check, Section } from "./tour.js"

export type Policies = Section<"policies", {
  /** With `Retry.unlimited`: requests the server received. */
  readonly unlimited: { readonly received: number }
  /** With the default budget: requests the server received, refusals, and how long it took. */
  readonly budget: { readonly received: number; readonly refused: number; readonly seconds: number }
}>

const busy = Scenario.sequence([Fault.status(503)], { after: "repeat-last" })

/** The routes of this section, merged into the tour's scenario. */
export const routes: Record<string, Scenario.Script> = {
  "GET /busy/unlimited": busy,
  "GET /busy/budget": busy
}

const REQUESTS = 100

/** Retries after 50, 100 and 200 ms: short, so the section is quick. */
const retry = { retries: 3, backoff: { base: "50 millis", jitter: "none" } } as const

/** A client over a pool of its own, with `options`; its retry log lines are left out. */
const withClient = <A, E>(
  server: FaultServer.Service,
  options: NodeClient.Options,
  f: (client: Client.ResilientClient) => Effect.Effect<A, E>
) =>
  Effect.scoped(Effect.gen(function*() {
    const node = NodeClient.layer({
      ...options,
      proxy: { url: "none" },
      tls: { ca: server.ca },
      pool: { interceptors: [server.interceptor] }
    })
    const context = yield* Layer.build(node).pipe(Effect.orDie)
    return yield* f(Context.get(context, Client.Client))
  })).pipe(Logger.withMinimumLogLevel(LogLevel.Warning))

const hundred = (client: Client.ResilientClient, server: FaultServer.Service, path: string) =>
  Effect.forEach(
    Array.from({ length: REQUESTS }, () => HttpClientRequest.get(`${server.urls.https}${path}`)),
    (request) => Effect.either(client.text(request)),
    { concurrency: 50 }
  )

const check = (what: string, expected: string, actual: string, ok = expected === actual): Block => ({
  _tag: "Check",
  check: { what, expected, actual, ok } satisfies Check
})
const text = (t: string, indent = 0): Block => ({ _tag: "Text", text: t, indent })

/** Section 8. */
export const policies = (server: FaultServer.Service): Effect.Effect<Policies> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const blocks: Array<Block> = []
    blocks.push(text(
      `GET /busy/…: the server answers every request with 503. ${REQUESTS} requests, 50 at a time, ` +
        "each retried up to 3 times."
    ))

    blocks.push(text("with Retry.unlimited (no budget): every request is tried 4 times"))
    yield* withClient(server, { retry: { ...retry, budget: Retry.unlimited } }, (c) =>
      hundred(c, server, "/busy/unlimited"))
    const unlimited = { received: yield* server.hits("GET /busy/unlimited") }
    blocks.push(check("requests the server received", String(REQUESTS * 4), String(unlimited.received)))

    blocks.push(text("with the default retry budget: retries held to 20% of requests, plus 10 per second"))
    const before = yield* Clock.currentTimeMillis
    const results = yield* withClient(server, { retry }, (c) =>
      hundred(c, server, "/busy/budget"))
    const seconds = ((yield* Clock.currentTimeMillis) - before) / 1000
    const received = yield* server.hits("GET /busy/budget")
    const refused = results.filter((r) =>
      Either.isLeft(r) && r.left.retryRefused === "budget"
    ).length
    const budget = { received, refused, seconds }
    const bound = Math.floor(REQUESTS * 1.2 + Budget.defaults.minPerSecond * (seconds + 1))
    blocks.push(text(
      `${refused} requests were refused a retry and ended with their 503, marked retryRefused: "budget" ` +
        `(in ${seconds.toFixed(1)} s)`,
      1
    ))
    blocks.push(check(
      "requests the server received (100 × 1.2 + 10 × (seconds + 1))",
      `<= ${bound}`,
      String(received),
      received > REQUESTS && received <= bound
    ))

    const ok = blocks.every((b) => b._tag !== "Check" || b.check.ok)
    return {
      id: "policies",
      title: "Spare a failing server: the retry budget",
      blocks,
      ok,
      elapsedMs: (yield* Clock.currentTimeMillis) - started,
      data: { unlimited, budget }
    }
  })
