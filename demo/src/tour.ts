/**
 * The guided tour behind `pnpm demo`, as data: {@link tour} runs every
 * section against a `FaultServer` on 127.0.0.1, through the production
 * transport (`NodeClient.layer`: the undici pool, with the fault server's
 * interceptor composed in), and returns what happened — per section the
 * rows (expected tag, tag seen, attempts, timings) and the checks (what the
 * section expects, what it saw). `main.ts` prints it; the demo's test
 * asserts it. Nothing here prints, and no line of the result is made up:
 * each one is measured or read from the client, the pool or the server.
 *
 * Each section builds its own `NodeClient.layer` (a fresh pool, closed when
 * the section ends), so one section's keep-alive connections do not change
 * the next one's story: a request that fails on a *reused* connection before
 * any response byte is sent once more by the transport (see `NodeClient`),
 * which section 6 shows on purpose and sections 2 and 4 must not run into.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, type Errors } from "@steadfast/core"
import { NodeClient, Pool } from "@steadfast/node"
import { Fault, type Fault as FaultType, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Clock, Context, Duration, Effect, Either, Fiber, FiberRef, HashSet, Layer, Logger, Metric } from "effect"
import { type Policies, policies, routes as policyRoutes } from "./policies.js"
import { type RateLimits, rateLimits, routes as rateLimitRoutes } from "./rateLimits.js"

// --- the result ---------------------------------------------------------------

/**
 * One request of a table: what the server was told to do, the outcome the
 * tour expects and the one it saw.
 */
export interface Row {
  /** What the server did (or, for timeouts, which limit should fire). */
  readonly label: string
  /** The expected `_tag`, or `"success"`. */
  readonly expected: string
  /** The `_tag` seen, or `"success"`. */
  readonly actual: string
  /** The expected detail of the error (reason, phase…), `""` when none. */
  readonly expectedDetail: string
  /** The detail seen (a `TlsError`'s reason, a `ConnectionReset`'s phase…), `""` when none. */
  readonly detail: string
  /** Attempts the client made. */
  readonly attempts: number
  /** Wall-clock time of the request, in milliseconds. */
  readonly elapsedMs: number
  /** The time limit that should have fired, when the row is about one. */
  readonly limitMs: number | undefined
  /** The error's message (what happened, to which request, how to fix it). */
  readonly message: string | undefined
  readonly ok: boolean
  /** Why the row is not ok, when it is not. */
  readonly problem: string | undefined
}

/** Something a section expects, and what it saw. */
export interface Check {
  readonly what: string
  readonly expected: string
  readonly actual: string
  readonly ok: boolean
}

/** A piece of a section, in the order the tour wants it told. */
export type Block =
  /** Context: what the server is scripted to do, what comes next; `indent` is a nesting level. */
  | { readonly _tag: "Text"; readonly text: string; readonly indent: number }
  | { readonly _tag: "Rows"; readonly header: string; readonly rows: ReadonlyArray<Row> }
  | { readonly _tag: "Check"; readonly check: Check }
  /** Lines the client logged (its retry log), the request's `METHOD url: ` prefix left out. */
  | { readonly _tag: "Log"; readonly lines: ReadonlyArray<string> }
  /** A message of an error, shown in full. */
  | { readonly _tag: "Message"; readonly text: string }

/** The sections, in order. */
export type SectionId =
  | "classification"
  | "retries"
  | "timeouts"
  | "post"
  | "redirects"
  | "pool"
  | "rate-limits"
  | "policies"

/** One section of the tour. */
export interface Section<Id extends SectionId = SectionId, Data = unknown> {
  readonly id: Id
  readonly title: string
  readonly blocks: ReadonlyArray<Block>
  /** Every row and check went as expected. */
  readonly ok: boolean
  readonly elapsedMs: number
  readonly data: Data
}

/** The rows of a section. */
export const rowsOf = (section: Section): ReadonlyArray<Row> =>
  section.blocks.flatMap((b) => b._tag === "Rows" ? b.rows : [])

/** The checks of a section. */
export const checksOf = (section: Section): ReadonlyArray<Check> =>
  section.blocks.flatMap((b) => b._tag === "Check" ? [b.check] : [])

/** A snapshot of the pool's connections to the fault server's origin. */
export interface PoolSnapshot {
  readonly connected: number
  readonly free: number
  readonly pending: number
  readonly running: number
  readonly size: number
}

export type Classification = Section<"classification", { readonly rows: ReadonlyArray<Row> }>

export type Retries = Section<"retries", {
  readonly flaky: {
    /** What the client returned. */
    readonly body: unknown
    /** Requests the server received, each with what it played. */
    readonly received: ReadonlyArray<{ readonly atMs: number; readonly played: string }>
    /** The pause before the last attempt (the server asked for 1 s). */
    readonly retryAfterWaitMs: number
    readonly elapsedMs: number
  }
  readonly dead: {
    readonly tag: string
    readonly attempts: number
    readonly waitsMs: ReadonlyArray<number>
    readonly deadlineMs: number
    readonly elapsedMs: number
  }
}>

export type Timeouts = Section<"timeouts", { readonly rows: ReadonlyArray<Row> }>

export type Post = Section<"post", {
  readonly plain: {
    readonly tag: string
    readonly attempts: number
    readonly requestSent: boolean
    readonly received: number
  }
  readonly keyed: { readonly body: unknown; readonly received: number }
}>

export type Redirects = Section<"redirects", {
  readonly forwarded: { readonly url: string; readonly authorization: string | undefined }
  readonly downgrade: Row
}>

export type PoolTour = Section<"pool", {
  readonly connections: number
  /** During a burst of slow requests. */
  readonly busy: PoolSnapshot
  /** The gauges (`Pool.connected`, …, Effect metrics) read at the same moment. */
  readonly busyGauges: PoolSnapshot
  /** After the burst. */
  readonly idle: PoolSnapshot
  readonly throughput: { readonly requests: number; readonly concurrency: number; readonly elapsedMs: number }
  /** After the throughput run. */
  readonly afterThroughput: PoolSnapshot
  readonly stale: { readonly body: string; readonly received: number; readonly staleResends: number }
  /** Right before the pool closes. */
  readonly final: PoolSnapshot
  /** Sockets the fault server still had open once the pool's scope closed. */
  readonly openSocketsAfterClose: number
  readonly connectedGaugeAfterClose: number
}>

/** What {@link tour} returns. */
export interface Result {
  readonly server: { readonly https: string; readonly http: string }
  readonly classification: Classification
  readonly retries: Retries
  readonly timeouts: Timeouts
  readonly post: Post
  readonly redirects: Redirects
  readonly pool: PoolTour
  readonly rateLimits: RateLimits
  readonly policies: Policies
  readonly sections: ReadonlyArray<Section>
  /** Every section went as expected. */
  readonly ok: boolean
  readonly elapsedMs: number
}

export interface Options {
  /** Called with each section as soon as it is done (to print as the tour goes). */
  readonly onSection?: ((section: Section) => Effect.Effect<void>) | undefined
  /** Requests of the throughput run of the pool section. @default 400 */
  readonly requests?: number | undefined
}

// --- the script -----------------------------------------------------------------

interface Case {
  readonly slug: string
  readonly label: string
  readonly fault: FaultType
  readonly expected: string
  readonly detail: string
}

/**
 * Section 1: every fault that is not about time (section 3 has those), on
 * `GET /faults/<slug>`, with the tag and detail the client should report.
 * In this order the resets go out on fresh connections (nothing before
 * them leaves one open to the primary origin), so the transport has no
 * stale connection to send them again from; if it did, `repeat-last`
 * would play the same fault again.
 */
const cases: ReadonlyArray<Case> = ([
  // [slug, what the server does, the fault, the tag expected, its detail]
  ["dns", "DNS: no such name", Fault.dns(), "DnsError", "permanent"],
  ["dns-again", "DNS: no answer", Fault.dns({ temporary: true }), "DnsError", "temporary"],
  ["refused", "nothing listening", Fault.refused(), "ConnectionRefused", ""],
  ["unreachable", "no route to host", Fault.unreachable(), "NetworkUnreachable", ""],
  ["self-signed", "TLS: self-signed", Fault.tls("self-signed"), "TlsError", "self-signed"],
  ["expired", "TLS: expired", Fault.tls("expired"), "TlsError", "expired"],
  ["wrong-host", "TLS: wrong host", Fault.tls("hostname-mismatch"), "TlsError", "hostname-mismatch"],
  ["no-cipher", "TLS: no cipher", Fault.tls("handshake"), "TlsError", "handshake"],
  ["reset", "RST before response", Fault.reset(), "ConnectionReset", "before-response"],
  ["close", "FIN before response", Fault.close(), "ConnectionReset", "before-response"],
  ["reset-body", "RST mid-body", Fault.resetMidBody(100), "ConnectionReset", "during-body"],
  ["truncated", "body cut short", Fault.truncate(100), "ConnectionReset", "during-body"],
  ["not-http", "not HTTP at all", Fault.malformed(), "TransportError", "malformed-response"],
  ["503", "status 503", Fault.status(503), "StatusError", "503"],
  ["loop", "redirect loop", Fault.redirect(302, "/faults/loop-back"), "TooManyRedirects", "loop"]
] as const).map(([slug, label, fault, expected, detail]) => ({ slug, label, fault, expected, detail }))

/** The row whose full message section 1 shows. */
const exampleSlug = "self-signed"

/** Section 3: one limit each, different, so that which one fired is plain. */
const limits = { connect: 200, response: 400, bodyIdle: 300 } as const

interface TimeoutCase {
  readonly slug: string
  readonly label: string
  readonly fault: FaultType
  readonly expected: string
  readonly limitMs: number
}

const timeoutCases: ReadonlyArray<TimeoutCase> = [
  {
    slug: "connect",
    label: `connect ${limits.connect} ms: TLS never ends`,
    fault: Fault.connectHang(),
    expected: "ConnectTimeout",
    limitMs: limits.connect
  },
  {
    slug: "response",
    label: `response ${limits.response} ms: no answer`,
    fault: Fault.hang(),
    expected: "ResponseTimeout",
    limitMs: limits.response
  },
  {
    slug: "body",
    label: `body idle ${limits.bodyIdle} ms: 1 byte/s`,
    fault: Fault.trickle({ chunkSize: 1, interval: "1 second" }),
    expected: "BodyTimeout",
    limitMs: limits.bodyIdle
  }
]

/** How section 2's server answers `GET /flaky`, step by step (what the timeline prints). */
const flakySteps: ReadonlyArray<readonly [string, FaultType]> = [
  ["reset before the response", Fault.reset()],
  ["503, Retry-After: 1", Fault.status(503, { retryAfter: 1 })],
  ["200 {\"ok\":true}", Reply.json(200, { ok: true })]
]

const repeat = (fault: FaultType) => Scenario.sequence([fault], { after: "repeat-last" })
/** Scripts that must be used exactly as the tour says: a request more is a 500 and an `exhausted` record. */
const exactly = (...steps: ReadonlyArray<FaultType>) => Scenario.sequence(steps, { after: "fail" })

const items = Reply.json(200, [1, 2, 3])

/**
 * The fault server's scenario for one run of the tour. Several routes are
 * scripted to be used exactly once (`after: "fail"`): run the tour once per
 * server.
 */
export const scenario: Scenario.Scenario = Scenario.make({
  ...Object.fromEntries(cases.map((c) => [`GET /faults/${c.slug}`, repeat(c.fault)])),
  "GET /faults/loop-back": repeat(Fault.redirect(302, "/faults/loop")),
  ...Object.fromEntries(timeoutCases.map((c) => [`GET /timeouts/${c.slug}`, repeat(c.fault)])),
  "GET /flaky": exactly(...flakySteps.map(([, fault]) => fault)),
  "GET /dead": repeat(Fault.reset()),
  "POST /orders": exactly(Fault.reset(), Fault.reset(), Reply.json(201, { id: 42 })),
  "GET /login": repeat(Fault.redirect(302, "/whoami", "secondary")),
  "GET /downgrade": repeat(Fault.redirect(302, "/items", "insecure")),
  "GET /slow": repeat(Fault.latency("100 millis", items)),
  "GET /items": repeat(items),
  "GET /stale": exactly(Fault.close(), Reply.text(200, "fresh")),
  ...rateLimitRoutes,
  ...policyRoutes
})

// --- helpers ----------------------------------------------------------------------

const millis = (d: Duration.Duration) => Math.round(Duration.toMillis(d))

interface Built {
  readonly client: Client.ResilientClient
  readonly pool: Pool.Service
}

/**
 * `f` with a client over a pool of its own (`NodeClient.layer`), trusting
 * the server's test CA, with its interceptor composed in, and no proxy
 * (an `HTTP_PROXY` on this machine must not spoil the tour); the pool is
 * closed when `f` is done.
 */
const withNodeClient = <A, E>(
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
const capturingLogs = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<readonly [A, ReadonlyArray<string>], E> =>
  Effect.suspend(() => {
    const lines: Array<string> = []
    const logger = Logger.make(({ message }) => {
      lines.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    return Effect.map(
      Effect.locally(effect, FiberRef.currentLoggers, HashSet.make(logger)),
      (a) => [a, lines] as const
    )
  })

/** Drops the `METHOD url: ` the client's log lines start with (the section names the request). */
const withoutRequest = (lines: ReadonlyArray<string>) => lines.map((line) => line.replace(/^[A-Z]+ \S+: /, ""))

/** The detail of an error a row shows next to its tag. */
const detailOf = (error: Errors.HttpError): string => {
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

interface Outcome<A> {
  readonly result: Either.Either<A, Errors.HttpError>
  readonly elapsedMs: number
}

const measure = <A>(effect: Effect.Effect<A, Errors.HttpError>): Effect.Effect<Outcome<A>> =>
  Effect.map(Effect.timed(Effect.either(effect)), ([elapsed, result]) => ({ result, elapsedMs: millis(elapsed) }))

const row = <A>(
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

const show = (value: unknown) => JSON.stringify(value) ?? String(value)

/** Collects a section's blocks in order. */
class Story {
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
const timedSection = <S>(body: Effect.Effect<(elapsedMs: number) => S>): Effect.Effect<S> =>
  Effect.map(Effect.timed(body), ([elapsed, finish]) => finish(millis(elapsed)))

const get = (base: string, path: string) => HttpClientRequest.get(`${base}${path}`)

const receivedOn = (server: FaultServer.Service, route: string) =>
  Effect.map(server.attempts, (all) => all.filter((a) => a.route === route))

// --- the sections --------------------------------------------------------------

const classification = (server: FaultServer.Service): Effect.Effect<Classification> =>
  timedSection(withNodeClient(
    server,
    {
      retry: { retries: 0 },
      timeouts: { connect: "300 millis", response: "300 millis", bodyIdle: "300 millis" }
    },
    ({ client }) =>
      Effect.gen(function*() {
        const story = new Story()
        story.text("GET /faults/<fault> over https, retries off: what the client reports")
        const rows: Array<Row> = []
        let example: string | undefined
        for (const c of cases) {
          const outcome = yield* measure(client.text(get(server.urls.https, `/faults/${c.slug}`)))
          const r = row(c.label, c.expected, c.detail, outcome)
          rows.push(r)
          if (c.slug === exampleSlug) example = r.message
        }
        story.rows("what the server did", rows)
        if (example !== undefined) {
          story.text("Each error's message says what happened, to which request, and how to fix it:")
          story.message(example)
        }
        return (elapsedMs: number) => story.section("classification", "Every failure has a name", elapsedMs, { rows })
      })
  ))

/** Section 2's policy, spelled out: core's defaults. */
const retryPolicy = { retries: 3, backoff: { base: Duration.millis(100), jitter: "full" } } as const

const retries = (server: FaultServer.Service): Effect.Effect<Retries> =>
  // retries log at Debug by default; the tour shows them at Info
  timedSection(withNodeClient(server, { retry: retryPolicy, retryLogLevel: "Info" }, ({ client }) =>
    Effect.gen(function*() {
      const story = new Story()
      story.text(
        `GET /flaky with ${retryPolicy.retries} retries, backoff from ${
          Duration.format(retryPolicy.backoff.base)
        }, ${retryPolicy.backoff.jitter} jitter`
      )
      const [flaky, flakyLog] = yield* capturingLogs(measure(client.json(get(server.urls.https, "/flaky"))))
      const received = yield* receivedOn(server, "GET /flaky")
      const start = received[0]?.at ?? 0
      const timeline = received.map((a) => ({
        atMs: a.at - start,
        played: flakySteps[a.step]?.[0] ?? a.fault
      }))
      story.text("what the server received, and played:", 1)
      for (const [i, t] of timeline.entries()) {
        story.text(`${`+${t.atMs} ms`.padEnd(10)}attempt ${i + 1}: ${t.played}`, 2)
      }
      story.log(flakyLog)
      const body = Either.isRight(flaky.result) ? flaky.result.right : undefined
      story.check(
        "GET /flaky answers",
        { ok: true },
        Either.isRight(flaky.result) ? body : flaky.result.left._tag
      )
      story.check("requests the server received", 3, received.length)
      const last = timeline.at(-1)?.atMs ?? 0
      const previous = timeline.at(-2)?.atMs ?? 0
      const retryAfterWaitMs = last - previous
      story.check(
        `wait before attempt 3 (Retry-After: 1)`,
        ">= 1000 ms",
        `${retryAfterWaitMs} ms`,
        timeline.length === 3 && retryAfterWaitMs >= 1000
      )

      const deadlineMs = 1000
      story.text(`GET /dead, reset every time: 10 retries allowed, but a deadline of ${deadlineMs} ms`)
      const [dead, deadLog] = yield* capturingLogs(measure(
        Client.withOptions(client, { timeouts: { deadline: Duration.millis(deadlineMs) }, retry: { retries: 10 } })
          .text(get(server.urls.https, "/dead"))
      ))
      story.log(deadLog)
      const deadError = Either.isLeft(dead.result) ? dead.result.left : undefined
      const waitsMs = deadError?.history.map((h) => Math.round(h.delayMs)) ?? []
      story.check(
        "the client reports",
        "DeadlineExceeded",
        deadError === undefined
          ? "success"
          : `${deadError._tag} after ${deadError.attempts} attempts and ${dead.elapsedMs} ms`,
        deadError?._tag === "DeadlineExceeded" && deadError.attempts >= 2 && dead.elapsedMs <= deadlineMs + 500
      )
      if (deadError?._tag === "DeadlineExceeded" && dead.elapsedMs < deadlineMs) {
        // core gives up as soon as the next wait would end past the deadline
        story.text(`(it gave up before ${deadlineMs} ms: the next wait would have ended past the deadline)`, 1)
      }

      return (elapsedMs: number) =>
        story.section("retries", "Retries follow the policy and the server's Retry-After", elapsedMs, {
          flaky: { body, received: timeline, retryAfterWaitMs, elapsedMs: flaky.elapsedMs },
          dead: {
            tag: deadError?._tag ?? "success",
            attempts: deadError?.attempts ?? 1,
            waitsMs,
            deadlineMs,
            elapsedMs: dead.elapsedMs
          }
        })
    })))

const timeouts = (server: FaultServer.Service): Effect.Effect<Timeouts> =>
  timedSection(withNodeClient(
    server,
    {
      retry: { retries: 0 },
      timeouts: {
        connect: Duration.millis(limits.connect),
        response: Duration.millis(limits.response),
        bodyIdle: Duration.millis(limits.bodyIdle)
      }
    },
    ({ client }) =>
      Effect.gen(function*() {
        const story = new Story()
        story.text("GET /timeouts/<phase>, retries off, a different limit for each phase")
        const rows: Array<Row> = []
        for (const c of timeoutCases) {
          const outcome = yield* measure(client.text(get(server.urls.https, `/timeouts/${c.slug}`)))
          rows.push(row(c.label, c.expected, "", outcome, c.limitMs))
        }
        story.rows("the limit that should fire", rows)
        return (elapsedMs: number) =>
          story.section("timeouts", "Timeouts fire on time, by interruption", elapsedMs, { rows })
      })
  ))

const post = (server: FaultServer.Service): Effect.Effect<Post> =>
  timedSection(
    withNodeClient(server, { retry: { retries: 3 }, retryLogLevel: "Info" }, ({ client }) =>
      Effect.gen(function*() {
        const story = new Story()
        const request = HttpClientRequest.post(`${server.urls.https}/orders`).pipe(
          HttpClientRequest.bodyUnsafeJson({ sku: "A-1" })
        )
        story.text("POST /orders, 3 retries allowed; the server reads the request, then resets")
        const [plain, plainLog] = yield* capturingLogs(measure(client.json(request)))
        story.log(plainLog)
        const plainError = Either.isLeft(plain.result) ? plain.result.left : undefined
        const plainReceived = (yield* receivedOn(server, "POST /orders")).length
        const requestSent = plainError?._tag === "ConnectionReset" && plainError.requestSent
        story.check(
          "the client reports",
          "ConnectionReset, request sent, 1 attempt",
          plainError === undefined
            ? "success"
            : `${plainError._tag}${requestSent ? ", request sent" : ""}, ${plainError.attempts} attempt${
              plainError.attempts === 1 ? "" : "s"
            }`
        )
        story.check("times the server received it", 1, plainReceived)

        story.text("the same POST with an Idempotency-Key header: reset once more, then 201")
        const [keyed, keyedLog] = yield* capturingLogs(
          measure(client.json(HttpClientRequest.setHeader(request, "Idempotency-Key", "order-1")))
        )
        story.log(keyedLog)
        const keyedBody = Either.isRight(keyed.result) ? keyed.result.right : keyed.result.left._tag
        const keyedReceived = (yield* receivedOn(server, "POST /orders")).length - plainReceived
        story.check("the client reports", { id: 42 }, keyedBody)
        story.check("times the server received it", 2, keyedReceived)
        return (elapsedMs: number) =>
          story.section("post", "A POST that may have reached the server is not retried", elapsedMs, {
            plain: {
              tag: plainError?._tag ?? "success",
              attempts: plainError?.attempts ?? 1,
              requestSent,
              received: plainReceived
            },
            keyed: { body: keyedBody, received: keyedReceived }
          })
      }))
  )

const redirects = (server: FaultServer.Service): Effect.Effect<Redirects> =>
  timedSection(withNodeClient(server, { retry: { retries: 0 } }, ({ client }) =>
    Effect.gen(function*() {
      const story = new Story()
      story.text("GET /login with Authorization: Bearer …; 302 to another origin")
      const echoed = yield* Effect.either(client.json(
        get(server.urls.https, "/login").pipe(HttpClientRequest.bearerToken("s3cret"))
      ))
      const echo = Either.isRight(echoed)
        ? echoed.right as { readonly url?: string; readonly headers?: Record<string, string> }
        : undefined
      const url = echo?.url ?? (Either.isLeft(echoed) ? echoed.left._tag : "")
      const authorization = echo?.headers?.["authorization"]
      story.check(
        "the other origin was reached",
        `${server.urls.secondaryHttps}/whoami`,
        url,
        url.startsWith(server.urls.secondaryHttps)
      )
      story.check("the Authorization it received", "(none)", authorization ?? "(none)")
      story.text("GET /downgrade; 302 from https to plain http")
      const downgrade = row(
        "https → http redirect",
        "RedirectBlocked",
        "downgrade",
        yield* measure(client.text(get(server.urls.https, "/downgrade")))
      )
      story.rows("what the server did", [downgrade])
      return (elapsedMs: number) =>
        story.section("redirects", "Credentials do not follow a redirect to another origin", elapsedMs, {
          forwarded: { url, authorization },
          downgrade
        })
    })))

const snapshotOf = (stats: ReadonlyArray<Pool.Stats>, origin: string): PoolSnapshot => {
  const s = stats.find((s) => s.origin === origin)
  return {
    connected: s?.connected ?? 0,
    free: s?.free ?? 0,
    pending: s?.pending ?? 0,
    running: s?.running ?? 0,
    size: s?.size ?? 0
  }
}

const gauges = (origin: string): Effect.Effect<PoolSnapshot> => {
  const value = (gauge: Metric.Metric.Gauge<number>) =>
    Effect.map(Metric.value(Metric.tagged(gauge, "origin", origin)), (s) => s.value)
  return Effect.all({
    connected: value(Pool.connected),
    free: value(Pool.free),
    pending: value(Pool.pending),
    running: value(Pool.running),
    size: value(Pool.size)
  })
}

/** Formats a snapshot the way the gauges are named. */
export const formatSnapshot = (s: PoolSnapshot): string =>
  `connected ${s.connected}, free ${s.free}, pending ${s.pending}, running ${s.running}, size ${s.size}`

/** Polls `check` every 5 ms for up to `timeoutMs`; the last value it saw. */
const poll = <A>(read: Effect.Effect<A>, until: (a: A) => boolean, timeoutMs: number) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    let value = yield* read
    while (!until(value) && (yield* Clock.currentTimeMillis) - start < timeoutMs) {
      yield* Effect.sleep("5 millis")
      value = yield* read
    }
    return value
  })

const pool = (server: FaultServer.Service, requests: number): Effect.Effect<PoolTour> =>
  timedSection(Effect.gen(function*() {
    const story = new Story()
    const origin = new URL(server.urls.https).origin
    const connections = 8
    const burst = 32
    const concurrency = 64
    const staleCount = Effect.map(
      Metric.value(Metric.tagged(Pool.staleRetries, "origin", origin)),
      (s) => s.count
    )
    const staleBefore = yield* staleCount

    const inside = yield* withNodeClient(
      server,
      { pool: { connections } },
      ({ client, pool }) =>
        Effect.gen(function*() {
          const snapshot = Effect.map(pool.stats, (stats) => snapshotOf(stats, origin))
          // undici counts a connection as free once it has emitted 'drain',
          // which it does a tick after its last response: read the stats of an
          // idle pool once they have caught up (or after 1 s, as they are)
          const settled = poll(snapshot, (s) => s.size === 0 && s.free === s.connected, 1000)
          story.text(`A pool of ${connections} connections per origin; ${burst} requests at once to GET /slow (100 ms)`)
          const fiber = yield* Effect.fork(Effect.all(
            Array.from({ length: burst }, () => client.json(get(server.urls.https, "/slow"))),
            { concurrency: "unbounded" }
          ))
          const busy = yield* poll(snapshot, (s) => s.running === connections && s.pending > 0, 3000)
          const busyGauges = yield* gauges(origin)
          const burstResult = yield* Effect.either(Fiber.join(fiber))
          story.check(
            "Pool.stats while busy",
            `connected ${connections}, running ${connections}, pending > 0`,
            formatSnapshot(busy),
            busy.connected === connections && busy.running === connections && busy.pending > 0
          )
          story.check("the Pool gauges then", formatSnapshot(busy), formatSnapshot(busyGauges))
          story.check(
            `the ${burst} requests`,
            "all answered",
            Either.isRight(burstResult) ? "all answered" : burstResult.left._tag
          )
          const idle = yield* settled
          story.check(
            "after the burst",
            `connected ${connections}, free ${connections}, nothing running or waiting`,
            formatSnapshot(idle),
            idle.connected === connections && idle.free === connections && idle.size === 0
          )

          const [elapsed, throughput] = yield* Effect.timed(Effect.either(Effect.forEach(
            Array.from({ length: requests }),
            () => client.json(get(server.urls.https, "/items")),
            { concurrency, discard: true }
          )))
          const throughputMs = millis(elapsed)
          story.text(
            `${requests} requests to GET /items, ${concurrency} at a time: ${throughputMs} ms (${
              Math.round(requests * 1000 / Math.max(1, throughputMs))
            } requests/s)`
          )
          const afterThroughput = yield* settled
          const openSockets = yield* server.openSockets
          story.check(
            "all answered, same connections",
            `yes; connected ${connections}, ${connections} open on the server`,
            `${Either.isRight(throughput) ? "yes" : throughput.left._tag}; connected ${afterThroughput.connected}, ` +
              `${openSockets} open on the server`
          )

          story.text(
            "GET /stale, retries off: the server closes the kept-alive connection the request arrives on " +
              "(as when its idle timer fires); the transport sends it once more on another connection"
          )
          const stale = yield* Effect.either(
            Client.withOptions(client, { retry: { retries: 0 } }).text(get(server.urls.https, "/stale"))
          )
          const staleBody = Either.isRight(stale) ? stale.right : stale.left._tag
          const staleReceived = (yield* receivedOn(server, "GET /stale")).length
          const staleResends = (yield* staleCount) - staleBefore
          story.check("the client reports", "fresh", staleBody)
          story.check(
            "resends (Pool.staleRetries)",
            "1; the server received it 2 times",
            `${staleResends}; the server received it ${staleReceived} times`
          )
          const final = yield* settled
          story.check(
            "before the pool closes",
            "idle: nothing running or waiting",
            formatSnapshot(final),
            final.running === 0 && final.pending === 0 && final.size === 0
          )
          return {
            busy,
            busyGauges,
            idle,
            throughput: { requests, concurrency, elapsedMs: throughputMs },
            afterThroughput,
            stale: { body: staleBody, received: staleReceived, staleResends },
            final
          }
        })
    )

    // the pool's scope is closed: every socket should be gone from the server
    const openSocketsAfterClose = yield* poll(server.openSockets, (n) => n === 0, 2000)
    const connectedGaugeAfterClose = (yield* gauges(origin)).connected
    story.check(
      "once its scope closed",
      "0 sockets open on the server, connected gauge 0",
      `${openSocketsAfterClose} socket${openSocketsAfterClose === 1 ? "" : "s"} open on the server, ` +
        `connected gauge ${connectedGaugeAfterClose}`
    )
    return (elapsedMs: number) =>
      story.section("pool", "The pool at work", elapsedMs, {
        connections,
        ...inside,
        openSocketsAfterClose,
        connectedGaugeAfterClose
      })
  }))

/**
 * Runs the tour against the `FaultServer` in the context, which must play
 * {@link scenario} (once: run the tour once per server). Every section
 * builds and closes its own pool, so when the returned effect is done,
 * nothing of the client is left open.
 */
export const tour = (options: Options = {}): Effect.Effect<Result, never, FaultServer.FaultServer> =>
  Effect.gen(function*() {
    const server = yield* FaultServer.FaultServer
    const report = options.onSection ?? (() => Effect.void)
    const run = <S extends Section>(section: Effect.Effect<S>) => Effect.tap(section, report)
    const [elapsed, sections] = yield* Effect.timed(Effect.gen(function*() {
      return {
        classification: yield* run(classification(server)),
        retries: yield* run(retries(server)),
        timeouts: yield* run(timeouts(server)),
        post: yield* run(post(server)),
        redirects: yield* run(redirects(server)),
        pool: yield* run(pool(server, options.requests ?? 400)),
        rateLimits: yield* run(rateLimits(server)),
        policies: yield* run(policies(server))
      }
    }))
    const all: ReadonlyArray<Section> = [
      sections.classification,
      sections.retries,
      sections.timeouts,
      sections.post,
      sections.redirects,
      sections.pool,
      sections.rateLimits,
      sections.policies
    ]
    return {
      server: { https: server.urls.https, http: server.urls.http },
      ...sections,
      sections: all,
      ok: all.every((s) => s.ok),
      elapsedMs: millis(elapsed)
    }
  })
