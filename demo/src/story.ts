/**
 * The tools a section is built with: a client over a pool of its own,
 * captured logs, measured rows, and the `Story` that collects its blocks.
 */
import { onlyTo } from "#line/logs"
import { Client, type Errors } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { HttpClientRequest } from "@steadfast/core/line/http"
import { NodeClient, Pool } from "@steadfast/node"
import { FaultServer } from "@steadfast/testkit"
import { Context, Duration, Layer } from "effect"
import type { Block, Row, Section, SectionId } from "./result.js"
export const millis = (d: Duration.Duration) => Math.round(Duration.toMillis(d))

export interface Built {
  readonly client: Client.ResilientClient
  readonly pool: Pool.Service
}

/**
 * `f` with a client over a pool of its own (`NodeClient.layer`), trusting
 * the server's test CA, with its interceptor composed in, and no proxy
 * (an `HTTP_PROXY` on this machine must not spoil the tour); the pool is
 * closed when `f` is done.
 */
export const withNodeClient = <A, E>(
  server: FaultServer.Service,
  options: NodeClient.Options,
  f: (built: Built) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.scoped(
    Effect.gen(function*() {
      const context = yield* Layer.build(NodeClient.layer({
        ...options,
        proxy: { url: "none" },
        tls: { ca: server.ca },
        pool: { ...options.pool, interceptors: [server.interceptor] }
      })).pipe(Effect.orDie)
      return yield* f({ client: Context.get(context, Client.Client), pool: Context.get(context, Pool.Pool) })
    })
  )

/** Runs `effect`, collecting what it logs instead of printing it (whatever loggers are installed). */
export const capturingLogs = <A, E>(
  effect: Effect.Effect<A, E>
): Effect.Effect<readonly [A, ReadonlyArray<string>], E> =>
  Effect.suspend(() => {
    const lines: Array<string> = []
    const capture = onlyTo((message) => {
      lines.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    return Effect.map(capture(effect), (a) => [a, lines] as const)
  })

/** Drops the `METHOD url: ` the client's log lines start with (the section names the request). */
export const withoutRequest = (lines: ReadonlyArray<string>) => lines.map((line) => line.replace(/^[A-Z]+ \S+: /, ""))

/** The detail of an error a row shows next to its tag. */
export const detailOf = (error: Errors.HttpError): string => {
  switch (error._tag) {
    case "DnsError":
      return error.temporary ? "temporary" : "permanent"
    case "TlsError":
      return error.reason
    case "ConnectionReset":
      return error.phase
    case "TransportError":
      return error.reason
    case "StatusError":
      return String(error.status)
    case "TooManyRedirects":
      return error.loop ? "loop" : `over ${error.max}`
    case "RedirectBlocked":
      return error.reason
    default:
      return ""
  }
}

export interface Outcome<A> {
  readonly result: Either.Either<A, Errors.HttpError>
  readonly elapsedMs: number
}

export const measure = <A>(effect: Effect.Effect<A, Errors.HttpError>): Effect.Effect<Outcome<A>> =>
  Effect.map(Effect.timed(Effect.either(effect)), ([elapsed, result]) => ({ result, elapsedMs: millis(elapsed) }))

export const row = <A>(
  label: string,
  expected: string,
  expectedDetail: string,
  outcome: Outcome<A>,
  limitMs?: number
): Row => {
  const error = Either.isLeft(outcome.result) ? outcome.result.left : undefined
  const actual = error?._tag ?? "success"
  const detail = error === undefined ? "" : detailOf(error)
  const problems: Array<string> = []
  if (actual !== expected) problems.push(`expected ${expected}, saw ${actual}`)
  else if (detail !== expectedDetail) problems.push(`expected ${expected} (${expectedDetail}), saw ${detail}`)
  // a time limit fires when due (timers may fire a millisecond early), and
  // not long after: a second late would mean something held it up
  if (limitMs !== undefined && outcome.elapsedMs < limitMs - 5) {
    problems.push(`fired after ${outcome.elapsedMs} ms, before its limit of ${limitMs} ms`)
  }
  if (limitMs !== undefined && outcome.elapsedMs > limitMs + 1000) {
    problems.push(`fired after ${outcome.elapsedMs} ms, over a second past its limit of ${limitMs} ms`)
  }
  return {
    label,
    expected,
    actual,
    expectedDetail,
    detail,
    attempts: error?.attempts ?? 1,
    elapsedMs: outcome.elapsedMs,
    limitMs,
    message: error?.message,
    ok: problems.length === 0,
    problem: problems.length === 0 ? undefined : problems.join("; ")
  }
}

export const show = (value: unknown) => JSON.stringify(value) ?? String(value)

/** Collects a section's blocks in order. */
export class Story {
  readonly blocks: Array<Block> = []
  text(text: string, indent = 0) {
    this.blocks.push({ _tag: "Text", text, indent })
  }
  rows(header: string, rows: ReadonlyArray<Row>) {
    this.blocks.push({ _tag: "Rows", header, rows })
  }
  check(what: string, expected: unknown, actual: unknown, ok: boolean = show(expected) === show(actual)) {
    this.blocks.push({
      _tag: "Check",
      check: {
        what,
        expected: typeof expected === "string" ? expected : show(expected),
        actual: typeof actual === "string" ? actual : show(actual),
        ok
      }
    })
  }
  log(lines: ReadonlyArray<string>) {
    if (lines.length > 0) this.blocks.push({ _tag: "Log", lines: withoutRequest(lines) })
  }
  message(text: string) {
    this.blocks.push({ _tag: "Message", text })
  }
  section<Id extends SectionId, Data>(id: Id, title: string, elapsedMs: number, data: Data): Section<Id, Data> {
    const ok = this.blocks.every((b) =>
      b._tag === "Rows" ? b.rows.every((r) => r.ok) : b._tag === "Check" ? b.check.ok : true
    )
    return { id, title, blocks: this.blocks, ok, elapsedMs, data }
  }
}

/** Times a section's body, which builds its own `Story`. */
export const timedSection = <S>(body: Effect.Effect<(elapsedMs: number) => S>): Effect.Effect<S> =>
  Effect.map(Effect.timed(body), ([elapsed, finish]) => finish(millis(elapsed)))

export const get = (base: string, path: string) => HttpClientRequest.get(`${base}${path}`)

export const receivedOn = (server: FaultServer.Service, route: string) =>
  Effect.map(server.attempts, (all) => all.filter((a) => a.route === route))
