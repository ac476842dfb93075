/**
 * The browser suite's page: one case per page load, named in the query
 * (`?case=refused&b=…`), run with @steadfast/core over the browser's fetch
 * against the loopback servers the suite started, and reported as data (the
 * suite checks it, and what the servers received).
 */
import { Client, Errors } from "@steadfast/core"
import { Effect, Layer } from "effect"
import { FetchHttpClient, HttpClientRequest } from "./http.js"
import { report } from "./page.js"

const query = new URLSearchParams(window.location.search)
const param = (name: string): string => {
  const value = query.get(name)
  if (value === null) throw new Error(`the page needs ?${name}=`)
  return value
}

/** What a case reports: the error's fields that matter, or the response. */
export interface Result {
  readonly ok: boolean
  readonly status?: number
  readonly body?: string
  readonly tag?: string
  readonly reason?: string
  readonly likely?: string
  readonly requestSent?: boolean | string
  readonly attempts?: number
  readonly decision?: string
  readonly message?: string
}

const failed = (error: Errors.HttpError): Result => ({
  ok: false,
  tag: error._tag,
  attempts: error.attempts,
  message: error.message,
  ...("reason" in error && typeof error.reason === "string" ? { reason: error.reason } : {}),
  ...(error._tag === "TransportError"
    ? { requestSent: error.requestSent, ...(error.likely === undefined ? {} : { likely: error.likely }) }
    : {}),
  ...(error.history.length > 0 ? { decision: error.history[error.history.length - 1]!.reason ?? "" } : {})
})

const text = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(Client.Client, (client) => Effect.map(client.text(request), (body): Result => ({ ok: true, body })))

/** With the client's trace propagation as configured (its defaults unless `options` say otherwise). */
const traced = (effect: Effect.Effect<Result, Errors.HttpError, Client.Client>, options: Client.Options = {}) =>
  effect.pipe(
    // (match, not catchAll: the page's code is the same on both Effect lines)
    Effect.match({ onFailure: failed, onSuccess: (result) => result }),
    Effect.provide(
      Client.layer({
        retry: { retries: 2, backoff: { base: "20 millis" } },
        timeouts: { response: "5 seconds" },
        ...options
      }).pipe(Layer.provide(FetchHttpClient.layer))
    )
  )

/** Trace propagation off: the cases below are about what else makes a request preflighted or fail. */
const run = (effect: Effect.Effect<Result, Errors.HttpError, Client.Client>, options: Client.Options = {}) =>
  traced(effect, { propagation: false, ...options })

const b = () => param("b")
const get = HttpClientRequest.get
const withKey = (request: HttpClientRequest.HttpClientRequest) =>
  HttpClientRequest.setHeader(request, "x-api-key", "k1")

const cases: Record<string, () => Effect.Effect<Result, unknown>> = {
  "refused": () => run(text(get(`http://127.0.0.1:${param("port")}/refused`))),
  "refused-post": () =>
    run(text(HttpClientRequest.bodyText(HttpClientRequest.post(`http://127.0.0.1:${param("port")}/refused`), "x"))),
  "reset": () => run(text(get(`${param("raw")}/reset`))),
  "empty": () => run(text(get(`${param("raw")}/empty`))),
  "cors-allowed": () => run(text(withKey(get(`${b()}/cors/allowed`)))),
  "cors-rejected": () => run(text(withKey(get(`${b()}/cors/rejected`)))),
  "cors-missing": () => run(text(get(`${b()}/cors/missing`))),
  "trace-default": () => traced(text(get(`${b()}/trace/default`))),
  "trace-opted-in": () => traced(text(get(`${b()}/trace/opted-in`)), { propagation: { origins: [b()] } }),
  "redirect-followed": () => run(text(get(`${b()}/redirect/followed`))),
  "redirect-sensitive": () =>
    run(text(withKey(HttpClientRequest.bearerToken(get(`${b()}/redirect/sensitive`), "s3cret"))), {
      redirects: { sensitiveHeaders: ["x-api-key"] }
    }),
  "redirect-manual": () =>
    run(
      Effect.flatMap(Client.Client, (client) =>
        Effect.map(
          client.json(get(`${b()}/redirect/manual`)),
          (body): Result => ({ ok: true, body: JSON.stringify(body) })
        )),
      { redirects: { follow: false } }
    ),
  "base-url": () => run(text(get("items")), { baseUrl: `${b()}/api/` })
}

const name = param("case")
const chosen = cases[name]
if (chosen === undefined) throw new Error(`no case ${name}`)
Effect.runPromise(chosen()).then(
  (result) => report(result),
  (error: unknown) => report({ ok: false, tag: "Defect", message: String(error) })
)
