/**
 * The generic transport as it behaves in a page, with the page's globals
 * (`location`, `navigator.onLine`) stubbed and a platform client that plays
 * fetch: the redirect mode it hands fetch, an opaque redirect failing typed,
 * a hidden failure reported with what the page saw (and the no-cors probe
 * sent only where it can tell something). Retries under the TestClock. The
 * real thing runs in headless Chromium: browser/src/suite.ts.
 */
import * as Effect from "#line/Effect"
import * as Fiber from "#line/Fiber"
import * as FiberRef from "#line/FiberRef"
import { FetchHttpClient, HttpClient, HttpClientRequest, HttpClientResponse } from "#line/http"
import * as Layer from "#line/Layer"
import { requestError } from "#line/platformError"
import * as TestClock from "#line/TestClock"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Client, Errors } from "@steadfast/core"
import * as Context from "effect/Context"

const PAGE = "http://127.0.0.1:8000"
const API = "http://127.0.0.1:9000"

interface Sent {
  readonly url: string
  readonly redirect: string | undefined
}

type Answer = "ok" | "status-0" | "type-error"

/** A platform client playing fetch: records the RequestInit it was run with, answers `answer`. */
const fakeFetch = (answer: Answer, sent: Array<Sent>) =>
  HttpClient.make((request, url, _signal, fiber) => {
    const init = Context.getOption(fiber.getFiberRef(FiberRef.currentContext), FetchHttpClient.RequestInit)
    sent.push({ url: url.href, redirect: init._tag === "Some" ? init.value.redirect : undefined })
    if (answer === "type-error") {
      return Effect.fail(
        requestError({ request, reason: "Transport", cause: new TypeError("Failed to fetch") })
      )
    }
    // a Response cannot be built with status 0: an opaqueredirect is played by a bare object
    return Effect.succeed(HttpClientResponse.fromWeb(
      request,
      answer === "ok"
        ? new Response("ok", { status: 200 })
        : { status: 0, headers: new globalThis.Headers() } as unknown as Response
    ))
  })

/** What the no-cors probe sends, and whether the server "answers" it. */
const probeFetch = (answers: boolean, probes: Array<RequestInit & { url: string }>) =>
  ((url: string, init: RequestInit) => {
    probes.push({ ...init, url })
    return answers ? Promise.resolve(new Response(null, { status: 200 })) : Promise.reject(new TypeError("Failed"))
  }) as unknown as typeof globalThis.fetch

const inPage = (online = true) => {
  vi.stubGlobal("location", { origin: PAGE, protocol: "http:" })
  vi.stubGlobal("navigator", { onLine: online })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

const run = <A>(
  effect: Effect.Effect<A, Errors.HttpError, Client.Client>,
  answer: Answer,
  options: Client.Options = {},
  probe: { readonly answers: boolean; readonly propagate?: boolean } = { answers: false }
) => {
  const sent: Array<Sent> = []
  const probes: Array<RequestInit & { url: string }> = []
  const layer = Client.layer({ retry: { retries: 2, backoff: { base: "100 millis" } }, ...options }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, fakeFetch(answer, sent)))
  )
  return Effect.gen(function*() {
    const fiber = yield* Effect.fork(
      Effect.either(effect).pipe(
        Effect.provide(layer),
        Effect.provideService(FetchHttpClient.Fetch, probeFetch(probe.answers, probes)),
        Effect.locally(HttpClient.currentTracerPropagation, probe.propagate ?? true)
      )
    )
    yield* TestClock.adjust("1 minute")
    const result = yield* Fiber.join(fiber)
    return { result, sent, probes }
  })
}

const text = (request: HttpClientRequest.HttpClientRequest) => Effect.flatMap(Client.Client, (c) => c.text(request))

describe("the generic transport in a page", () => {
  it.effect("fetch follows redirects itself only without a sensitive header", () =>
    Effect.gen(function*() {
      inPage()
      const plain = yield* run(text(HttpClientRequest.get(`${API}/a`)), "ok")
      const withKey = yield* run(
        text(HttpClientRequest.setHeader(HttpClientRequest.get(`${API}/a`), "x-api-key", "k")),
        "ok",
        { redirects: { sensitiveHeaders: ["x-api-key"] } }
      )
      expect(plain.sent.map((s) => s.redirect)).toEqual(["follow"])
      expect(withKey.sent.map((s) => s.redirect)).toEqual(["manual"])
    }))

  it.effect("an opaque redirect (status 0) is RedirectBlocked(opaque), never a success, not retried", () =>
    Effect.gen(function*() {
      inPage()
      const { result, sent } = yield* run(text(HttpClientRequest.get(`${API}/moved`)), "status-0", {
        redirects: { follow: false }
      })
      expect(result._tag).toBe("Left")
      const error = (result as { left: Errors.HttpError }).left as Errors.RedirectBlocked
      expect([error._tag, error.reason, error.attempts]).toEqual(["RedirectBlocked", "opaque", 1])
      expect(sent).toHaveLength(1)
    }))

  it.effect("cross-origin, the server answers the probe: cors, one attempt, one HEAD no-cors probe", () =>
    Effect.gen(function*() {
      inPage()
      const { probes, result, sent } = yield* run(text(HttpClientRequest.get(`${API}/x`)), "type-error", {}, {
        answers: true,
        propagate: false
      })
      const error = (result as { left: Errors.TransportError }).left
      expect([error.reason, error.likely, error.requestSent, error.attempts]).toEqual([
        "opaque-network",
        "cors",
        true,
        1
      ])
      expect(sent).toHaveLength(1)
      expect(probes.map((p) => [p.url, p.method, p.mode, p.credentials])).toEqual([
        [`${API}/x`, "HEAD", "no-cors", "omit"]
      ])
    }))

  it.effect("with trace propagation a GET needs a preflight: cors, requestSent unknown, the message says why", () =>
    Effect.gen(function*() {
      inPage()
      const { result } = yield* run(text(HttpClientRequest.get(`${API}/x`)), "type-error", {}, { answers: true })
      const error = (result as { left: Errors.TransportError }).left
      expect([error.likely, error.requestSent, error.attempts]).toEqual(["cors", "unknown", 1])
      expect(error.message).toContain("preflight because of traceparent")
    }))

  it.effect("same origin: unreachable without a probe, a GET retried, a POST not", () =>
    Effect.gen(function*() {
      inPage()
      const get = yield* run(text(HttpClientRequest.get(`${PAGE}/x`)), "type-error")
      const post = yield* run(text(HttpClientRequest.bodyText(HttpClientRequest.post(`${PAGE}/x`), "b")), "type-error")
      const getError = (get.result as { left: Errors.TransportError }).left
      const postError = (post.result as { left: Errors.TransportError }).left
      expect([getError.likely, getError.requestSent, getError.attempts]).toEqual(["unreachable", "unknown", 3])
      expect([postError.likely, postError.attempts]).toEqual(["unreachable", 1])
      expect(get.probes.length + post.probes.length).toBe(0)
    }))

  it.effect("offline: a POST is retried (nothing left the machine), no probe", () =>
    Effect.gen(function*() {
      inPage(false)
      const { probes, result } = yield* run(
        text(HttpClientRequest.bodyText(HttpClientRequest.post(`${API}/x`), "b")),
        "type-error"
      )
      const error = (result as { left: Errors.TransportError }).left
      expect([error.likely, error.requestSent, error.attempts]).toEqual(["offline", false, 3])
      expect(probes).toHaveLength(0)
    }))

  it.effect("outside a page: redirects come back to the client (manual), the TypeError is opaque-network unknown", () =>
    Effect.gen(function*() {
      const { probes, result, sent } = yield* run(text(HttpClientRequest.get(`${API}/x`)), "type-error")
      const error = (result as { left: Errors.TransportError }).left
      expect([error.reason, error.likely, error.requestSent]).toEqual(["opaque-network", "unknown", "unknown"])
      expect(sent.map((s) => s.redirect)).toEqual(["manual", "manual", "manual"])
      expect(probes).toHaveLength(0)
    }))
})
