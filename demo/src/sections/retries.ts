/**
 * Sections 2 and 4: retries with backoff and Retry-After, and a POST that
 * is only re-sent when the server cannot have seen it.
 */
import { Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { HttpClientRequest } from "@steadfast/core/line/http"
import { FaultServer } from "@steadfast/testkit"
import { Duration } from "effect"
import type { Post, Retries } from "../result.js"
import { flakySteps } from "../script.js"
import { capturingLogs, get, measure, receivedOn, Story, timedSection, withNodeClient } from "../story.js"
/** Section 2's policy, spelled out: core's defaults. */
const retryPolicy = { retries: 3, backoff: { base: Duration.millis(100), jitter: "full" } } as const

export const retries = (server: FaultServer.Service): Effect.Effect<Retries> =>
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

export const post = (server: FaultServer.Service): Effect.Effect<Post> =>
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
