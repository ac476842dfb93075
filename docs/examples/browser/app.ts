/**
 * steadfast in a page: the client over the browser's fetch, with the API on
 * its own origin (a base url), a header that must not follow a redirect to
 * another origin, and what a failure the browser hides can still tell.
 *
 * The browser suite (browser/src/suite.ts) runs `program` in a real headless
 * Chromium against a loopback API and checks what it returns.
 */
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { Client, Errors } from "@steadfast/core"
import { Effect, Layer, Schema } from "effect"

// region: setup
/** The page's client: the browser's fetch underneath, the API on its own origin. */
export const ApiClient = (apiUrl: string) =>
  Client.layer({
    baseUrl: apiUrl, // relative urls resolve against this, not against the page
    retry: { retries: 2 },
    // fetch may not follow a redirect with this header: steadfast fails it typed instead
    redirects: { sensitiveHeaders: ["x-api-key"] }
  }).pipe(Layer.provide(FetchHttpClient.layer))
// endregion

const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

// region: use
export const loadTodos = Effect.gen(function*() {
  const client = yield* Client.Client
  return yield* client.json(HttpClientRequest.get("todos"), Schema.Array(Todo))
})

/** One line for the user, from what the page could tell. */
export const explain = (error: Errors.HttpError): string => {
  if (error._tag === "TransportError" && error.reason === "opaque-network") {
    switch (error.likely) {
      case "offline":
        return "You are offline."
      case "cors":
      case "mixed-content":
        return "The API refuses this page (a configuration error; not retried)."
      default:
        return "The API cannot be reached right now."
    }
  }
  if (error._tag === "RedirectBlocked" && error.reason === "opaque") {
    return "The API moved this resource; call its new address."
  }
  return error.message
}
// endregion

/** Loads the todos, then calls a route that sends no CORS headers. */
export const program = (apiUrl: string) =>
  Effect.gen(function*() {
    const todos = yield* loadTodos
    const client = yield* Client.Client
    const refused = yield* Effect.flip(client.text(HttpClientRequest.get("no-cors")))
    return { todos, refused: { tag: refused._tag, attempts: refused.attempts, explained: explain(refused) } }
  }).pipe(Effect.provide(ApiClient(apiUrl)))
