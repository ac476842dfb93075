/**
 * Section 8 of the tour: sparing a server that fails. `GET /busy/*` answers
 * every request with 503. The same 100 requests go out twice: with the
 * retry budget turned off, every request is tried 4 times; with the budget
 * every client has by default, retries are held to about a fifth of the
 * requests. Then a circuit breaker: after 3 failures in a row the server
 * gets no request for a second, callers get `CircuitOpen` at once, and a
 * probe closes it once the server is back. Every figure printed is the
 * server's own count.
 */
import { onlyTo } from "#line/logs"
import { Breaker, Budget, Client, Retry } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import * as FiberRef from "@steadfast/core/line/FiberRef"
import { HttpClientRequest } from "@steadfast/core/line/http"
import * as LogLevel from "@steadfast/core/line/LogLevel"
import { NodeClient } from "@steadfast/node"
import { Fault, type FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Clock, Context, Layer } from "effect"
import type { Block, Check, Section } from "../result.js"

/** The retry log (Info) left out where a hundred requests retry. */
const warningsOnly = Effect.locally(FiberRef.currentMinimumLogLevel, LogLevel.Warning)

export type Policies = Section<"policies", {
  /** With `Retry.unlimited`: requests the server received. */
  readonly unlimited: { readonly received: number }
  /** With the default budget: requests the server received, refusals, and how long it took. */
  readonly budget: { readonly received: number; readonly refused: number; readonly seconds: number }
  /** With a breaker: 10 requests while the server fails, then one after the break, once it is back. */
  readonly breaker: {
    readonly received: number
    readonly circuitOpen: number
    readonly transitions: ReadonlyArray<string>
    readonly afterBreak: string
  }
}>

const busy = Scenario.sequence([Fault.status(503)], { after: "repeat-last" })

/** The routes of this section, merged into the tour's scenario. */
export const routes: Record<string, Scenario.Script> = {
  "GET /busy/unlimited": busy,
  "GET /busy/budget": busy,
  // three 503s open the breaker; the probe after the break finds the server back
  "GET /busy/breaker": Scenario.sequence(
    [Fault.status(503), Fault.status(503), Fault.status(503), Reply.text(200, "back")],
    { after: "fail" }
  )
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
  }))

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
      hundred(c, server, "/busy/unlimited")).pipe(warningsOnly)
    const unlimited = { received: yield* server.hits("GET /busy/unlimited") }
    blocks.push(check("requests the server received", String(REQUESTS * 4), String(unlimited.received)))

    blocks.push(text("with the default retry budget: retries held to 20% of requests, plus 10 per second"))
    const before = yield* Clock.currentTimeMillis
    const results = yield* withClient(server, { retry }, (c) =>
      hundred(c, server, "/busy/budget")).pipe(warningsOnly)
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

    blocks.push(text(
      "with Breaker.make({ consecutiveFailures: 3, breakDuration: \"1 second\" }): 10 requests, one at a time"
    ))
    const breaker = Breaker.make({ consecutiveFailures: 3, breakDuration: "1 second" })
    const transitions: Array<string> = []
    const logTransitions = onlyTo((message) => {
      const line = Array.isArray(message) ? message.join(" ") : String(message)
      if (line.startsWith("circuit breaker")) {
        transitions.push(line.replace(/ for \S+/, ""))
      }
    })
    const [outcomes, afterBreak] = yield* withClient(
      server,
      { retry: { retries: 0 }, policies: [breaker] },
      (c) => {
        const one = Effect.either(c.text(HttpClientRequest.get(`${server.urls.https}/busy/breaker`)))
        return Effect.zip(
          Effect.forEach(Array.from({ length: 10 }), () => one),
          Effect.zipRight(Effect.sleep("1 second"), one)
        ).pipe(logTransitions)
      }
    )
    const circuitOpen = outcomes.filter((r) => Either.isLeft(r) && r.left._tag === "CircuitOpen").length
    const breakerData = {
      received: yield* server.hits("GET /busy/breaker"),
      circuitOpen,
      transitions,
      afterBreak: Either.isRight(afterBreak) ? afterBreak.right : afterBreak.left._tag
    }
    blocks.push({ _tag: "Log", lines: transitions })
    blocks.push(check(
      "requests the server received / failed fast with CircuitOpen",
      "3 / 7",
      `${breakerData.received - 1} / ${circuitOpen}`
    ))
    blocks.push(check("the probe after the break (the server is back)", "back", breakerData.afterBreak))

    const ok = blocks.every((b) => b._tag !== "Check" || b.check.ok)
    return {
      id: "policies",
      title: "Spare a failing server: the retry budget and the circuit breaker",
      blocks,
      ok,
      elapsedMs: (yield* Clock.currentTimeMillis) - started,
      data: { unlimited, budget, breaker: breakerData }
    }
  })
