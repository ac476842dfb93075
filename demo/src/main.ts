/**
 * `pnpm demo`: a guided tour of steadfast against the testkit's fault server
 * on 127.0.0.1. Every fault is real (resets, TLS handshakes, hangs) and every
 * line below is what the resilient client reported.
 */
import { HttpClientRequest } from "@effect/platform"
import { Client, type Errors } from "@steadfast/core"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Console, Duration, Effect, Logger } from "effect"
import { type Tour, tourTransport } from "./transport.js"

const ms = (n: number) => `${Math.round(n)} ms`
const pad = (text: string, width: number) => text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width)

/** Word-wraps `text` to `width` columns, every line indented by `indent`. */
const wrap = (text: string, width: number, indent: number) => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines.map((l) => " ".repeat(indent) + l).join("\n")
}

/** The first sentence of the hint of a message (what follows the request and the attempt count). */
const hint = (error: Errors.HttpError) => {
  const text = error.message
  const start = text.indexOf(". ")
  const rest = start < 0 ? text : text.slice(start + 2)
  const end = rest.search(/[.?](?: |$)/)
  return end < 0 ? rest : rest.slice(0, end + 1)
}

const fast = {
  retry: { retries: 0 },
  timeouts: { connect: "300 millis", response: "300 millis", bodyIdle: "300 millis" }
} as const

const faults: ReadonlyArray<readonly [string, Fault]> = [
  ["DNS: the name does not exist", Fault.dns()],
  ["DNS: the resolver did not answer", Fault.dns({ temporary: true })],
  ["nothing listens on the port", Fault.refused()],
  ["no route to the network", Fault.unreachable()],
  ["TLS: self-signed certificate", Fault.tls("self-signed")],
  ["TLS: expired certificate", Fault.tls("expired")],
  ["TLS: certificate for another host", Fault.tls("hostname-mismatch")],
  ["TLS: no cipher in common", Fault.tls("handshake")],
  ["connecting never completes", Fault.connectHang()],
  ["reset before the response", Fault.reset()],
  ["closed before the response", Fault.close()],
  ["reset in the middle of the body", Fault.resetMidBody(100)],
  ["body shorter than promised", Fault.truncate(100)],
  ["the server never answers", Fault.hang()],
  ["the body trickles, 1 byte/s", Fault.trickle({ chunkSize: 1, interval: "1 second" })],
  ["not HTTP at all", Fault.malformed()],
  ["503 Service Unavailable", Fault.status(503)],
  ["redirect loop", Fault.redirect(302, "/faults/loop")]
]

const scenario = Scenario.make({
  ...Object.fromEntries(
    faults.map(([, fault], i) => [`GET /faults/${i}`, Scenario.sequence([fault], { after: "repeat-last" })])
  ),
  "GET /faults/loop": Scenario.sequence([Fault.redirect(302, `/faults/${faults.length - 1}`)], {
    after: "repeat-last"
  }),
  "GET /flaky": [Fault.reset(), Fault.status(503, { retryAfter: 1 }), Reply.json(200, { ok: true })],
  "GET /dead": Scenario.sequence([Fault.reset()], { after: "repeat-last" }),
  "POST /orders": Scenario.sequence([Fault.reset(), Reply.json(201, { id: 42 })], { after: "cycle" }),
  "GET /login": Scenario.sequence([Fault.redirect(302, "/whoami", "secondary")], { after: "repeat-last" }),
  "GET /items": Scenario.sequence([Reply.json(200, [1, 2, 3])], { after: "repeat-last" })
})

const section = (title: string) => Console.log(`\n${title}\n${"─".repeat(Math.min(title.length, 96))}`)

const classification = (tour: Tour) =>
  Effect.gen(function*() {
    yield* section("1. Every failure has a name")
    yield* Console.log(`${pad("what the server did", 38)}what the client reported, and its hint`)
    const client = Client.withOptions(tour.client, fast)
    for (let i = 0; i < faults.length; i++) {
      const [label] = faults[i]!
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${tour.base}/faults/${i}`)))
      yield* Console.log(`${pad(label, 36)}→ ${error._tag}\n${wrap(hint(error), 60, 38)}`)
    }
  })

const retries = (tour: Tour) =>
  Effect.gen(function*() {
    yield* section("2. Retries follow the policy and the server's Retry-After")
    yield* Console.log("GET /flaky: the server resets the first attempt, answers 503 with Retry-After: 1, then 200")
    const started = performance.now()
    const body = yield* tour.client.json(HttpClientRequest.get(`${tour.base}/flaky`))
    const attempts = (yield* tour.server.attempts).filter((a) => a.route === "GET /flaky")
    for (const [i, a] of attempts.entries()) {
      yield* Console.log(
        `  attempt ${i + 1} at +${ms(a.at - attempts[0]!.at).padStart(7)}: the server played ${a.fault}`
      )
    }
    yield* Console.log(`  -> ${JSON.stringify(body)} after ${ms(performance.now() - started)}`)

    yield* Console.log("\nGET /dead with a 1 s deadline: every attempt is reset")
    const dead = yield* Effect.flip(
      Client.withOptions(tour.client, { timeouts: { deadline: "1 second" }, retry: { retries: 10 } }).text(
        HttpClientRequest.get(`${tour.base}/dead`)
      )
    )
    yield* Console.log(
      `  -> ${dead._tag} after ${dead.attempts} attempts; waits: ${dead.history.map((h) => ms(h.delayMs)).join(", ")}`
    )
  })

const timeouts = (tour: Tour) =>
  Effect.gen(function*() {
    yield* section("3. Timeouts fire on time, by interruption")
    const client = Client.withOptions(tour.client, fast)
    const cases = [
      ["connect: the TLS handshake never completes", 8],
      ["response: the server never answers", 13],
      ["body idle: one byte per second", 14]
    ] as const
    for (const [label, i] of cases) {
      const started = performance.now()
      const error = yield* Effect.flip(client.text(HttpClientRequest.get(`${tour.base}/faults/${i}`)))
      yield* Console.log(`  ${pad(label, 46)}${pad(error._tag, 18)}after ${ms(performance.now() - started)}`)
    }
  })

const safety = (tour: Tour) =>
  Effect.gen(function*() {
    yield* section("4. A POST that may have reached the server is not retried")
    const post = HttpClientRequest.post(`${tour.base}/orders`).pipe(HttpClientRequest.bodyUnsafeJson({ sku: "A-1" }))
    const plain = yield* Effect.flip(tour.client.json(post))
    yield* Console.log(`  POST /orders (reset after sending)            -> ${plain._tag}, ${plain.attempts} attempt`)
    const keyed = yield* tour.client.json(HttpClientRequest.setHeader(post, "Idempotency-Key", "order-1"))
    yield* Console.log(`  the same POST with an Idempotency-Key header  -> retried: ${JSON.stringify(keyed)}`)
  })

const redirects = (tour: Tour) =>
  Effect.gen(function*() {
    yield* section("5. Credentials do not follow a redirect to another origin")
    const echoed = (yield* tour.client.json(
      HttpClientRequest.get(`${tour.base}/login`).pipe(HttpClientRequest.bearerToken("s3cret"))
    )) as { readonly url: string; readonly headers: Record<string, string> }
    yield* Console.log(`  GET /login with Authorization -> 302 to ${echoed.url}`)
    yield* Console.log(`  the other origin received authorization: ${echoed.headers["authorization"] ?? "(none)"}`)
  })

const pool = (tour: Tour) =>
  Effect.gen(function*() {
    yield* section("6. The pool at work")
    const started = performance.now()
    yield* Effect.forEach(
      Array.from({ length: 500 }),
      () => tour.client.json(HttpClientRequest.get(`${tour.base}/items`)),
      { concurrency: 64, discard: true }
    )
    const elapsed = performance.now() - started
    yield* Console.log(`  500 requests, 64 at a time, in ${ms(elapsed)} (${Math.round(500_000 / elapsed)} requests/s)`)
    yield* Console.log(`  ${yield* tour.describePool}`)
  })

const main = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  yield* Console.log("steadfast demo: a resilient HTTP client for Effect, against a fault server on 127.0.0.1")
  yield* Console.log(`  fault server: ${server.urls.https} (https, test CA) and ${server.urls.http}`)
  const tour = yield* tourTransport(server)
  yield* classification(tour)
  yield* retries(tour)
  yield* timeouts(tour)
  yield* safety(tour)
  yield* redirects(tour)
  yield* pool(tour)
  yield* section("Done")
  yield* Console.log(
    `  sockets still open on the fault server: ${yield* server.openSockets} (after the pool closes: 0)`
  )
}).pipe(
  Effect.scoped,
  Effect.provide(FaultServer.layer(scenario)),
  // the client's retry log lines tell the story of section 2: print them plainly
  Effect.provide(Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ message }) => {
      console.log(`  · ${Array.isArray(message) ? message.join(" ") : String(message)}`)
    })
  ))
)

Effect.runPromise(
  Effect.timeoutFail(main, { duration: Duration.minutes(1), onTimeout: () => new Error("the demo took over a minute") })
).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
