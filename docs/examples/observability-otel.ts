/**
 * steadfast's spans and trace context with OpenTelemetry: the SDK set up
 * through @effect/opentelemetry, a request retried once, and what the SDK's
 * exporter received — the call's span, a client span per attempt — beside
 * the `traceparent` each attempt carried to the server.
 */
import { NodeSdk } from "@effect/opentelemetry"
import { HttpClientRequest } from "@effect/platform"
import { SpanKind } from "@opentelemetry/api"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Client } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import { Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as assert from "node:assert"

// region: setup
// in production, a BatchSpanProcessor with an OTLP exporter; here, the SDK's in-memory one
const exporter = new InMemorySpanExporter()

const Telemetry = NodeSdk.layer(() => ({
  resource: { serviceName: "orders" },
  spanProcessor: new SimpleSpanProcessor(exporter)
}))

const placeOrder = Client.json(HttpClientRequest.get("https://stock.example.test/items/42")).pipe(
  Effect.withSpan("placeOrder")
)
// endregion

const network = SimulatedNetwork.layer(Scenario.make({
  "GET /items/42": [Fault.status(503), Reply.json(200, { id: 42 })]
}))

export const program = Effect.gen(function*() {
  const fiber = yield* Effect.fork(placeOrder)
  yield* TestClock.adjust("1 second")
  assert.deepStrictEqual(yield* Fiber.join(fiber), { id: 42 })

  // region: spans
  const spans = exporter.getFinishedSpans()
  const call = spans.find((s) => s.name === "GET" && s.kind === SpanKind.INTERNAL)!
  const attempts = spans.filter((s) => s.name === "GET" && s.kind === SpanKind.CLIENT)
  // placeOrder > GET (the call) > GET, GET (one client span per attempt)
  assert.strictEqual(attempts.length, 2)
  assert.ok(attempts.every((a) => a.parentSpanContext?.spanId === call.spanContext().spanId))
  assert.deepStrictEqual(
    attempts.map((a) => [a.attributes["http.response.status_code"], a.attributes["error.type"]]),
    [[503, "503"], [200, undefined]]
  )
  assert.strictEqual(attempts[1]!.attributes["http.request.resend_count"], 1)
  // endregion

  // each attempt told the server which span it was
  const net = yield* SimulatedNetwork.SimulatedNetwork
  assert.deepStrictEqual(
    (yield* net.attempts()).map((a) => a.headers["traceparent"]),
    attempts.map((a) => `00-${a.spanContext().traceId}-${a.spanContext().spanId}-01`)
  )
}).pipe(
  Effect.provide(
    Client.layer({ retry: { backoff: { jitter: "none" } } }).pipe(Layer.provideMerge(network))
  ),
  Effect.provide(Telemetry),
  Effect.provide(TestContext.TestContext)
)
